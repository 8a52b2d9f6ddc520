#pragma once
// A τ-bench domain (retail or airline) loaded from data/tau-bench: the initial database,
// the policy (wiki.md), the tool signatures, and the task lists. Loaded once per process
// and shared read-only; every episode works on its own copy of the database.
//
//   const TauDomain& retail = load_tau_domain("tau-retail");
//   TauEnvironment env(retail);                  // environment.h
//   const auto& tasks = retail.split("test");    // 115 tasks
//
// Splits: retail `train` (500), `dev` (20), `test` (115) as upstream. Airline has one
// upstream list of 50 tasks, `all`; `train` and `test` cut it in two halves by a seeded
// shuffle (airline_split_indices) for optimization and held-out evaluation.

#include <map>
#include <string>
#include <vector>

#include "tasks/tau/tools.h"

namespace remask::tau {

struct TauAction {
    std::string name;
    Json kwargs;  // an object
};

struct TauTask {
    int index = 0;  // position in the upstream task list of its split file
    // Unique across splits: "retail/dev/7", "airline/all/12" (domain / task file / index).
    // Transcripts, `remask eval --out` and the optimizer's example ids use it.
    std::string id;
    std::string user_id;
    std::string instruction;
    std::vector<TauAction> actions;    // ground truth, in order
    std::vector<std::string> outputs;  // strings the agent must say
};

struct TauDomain {
    std::string name;  // "tau-retail" | "tau-airline"
    std::string wiki;  // policy document: the agent's base system prompt
    Json initial_data;  // {"orders","products","users"} | {"flights","reservations","users"}
    std::vector<ToolSignature> tools;                    // upstream ALL_TOOLS order
    std::vector<ToolFunction> functions;                 // same order as tools
    std::vector<std::string> terminal_tools;             // ending an episode: transfer_to_human_agents
    std::map<std::string, std::vector<TauTask>> task_files;  // "train"/"dev"/"test" for retail, "all" for airline
    std::string data_dir;
    uint64_t instance_id = 0;  // unique per loaded domain: keys caches of ground-truth results

    // OpenAI `tools` array: [{"type": "function", "function": {name, description, parameters}}].
    Json openai_tools() const;
    // The tasks of a split; throws InputError naming the split and the ones that exist.
    // For airline, "train"/"test" use seed (see airline_split_indices).
    std::vector<TauTask> split(const std::string& name, uint64_t seed = 0) const;
    std::vector<std::string> split_names() const;
    const ToolSignature* find_tool(const std::string& name) const;
};

// The domain for "tau-retail" or "tau-airline" (also "retail"/"airline"), loaded on first
// use from data_dir (default: find_tau_data_dir()). Thread-safe; the result lives for the
// process. Throws InputError naming the file at fault.
const TauDomain& load_tau_domain(const std::string& name, const std::string& data_dir = "");

// Loads without the cache (tests of bad input).
TauDomain read_tau_domain(const std::string& name, const std::string& data_dir);

// A domain over the given database (small fixtures in tests): the tools and the wiki come
// from data_dir, there are no tasks.
TauDomain tau_domain_with_data(const std::string& name, Json data, const std::string& data_dir);

// data/tau-bench: $REMASK_DATA_DIR/tau-bench, else ./data/tau-bench, else found by walking
// up from the running executable. Throws InputError when none exists.
std::string find_tau_data_dir();

// Airline's 50 tasks split in two: a seeded Fisher-Yates shuffle (mt19937_64, so the same
// on every platform) of 0..n-1; the first half (rounded down) is `train`, the rest `test`.
// Both halves are returned sorted.
std::pair<std::vector<int>, std::vector<int>> airline_split_indices(int n, uint64_t seed);

}  // namespace remask::tau
