#pragma once
// The configuration file of INTERFACES.md as plain structs, with its defaults. One file may
// hold every table; each command reads the tables it needs. Unknown keys are errors.

#include <optional>
#include <string>
#include <vector>

#include "core/toml_table.h"
#include "tasks/scorer_settings.h"

namespace remask {

struct TaskSettings {
    std::string name = "sst2";  // sst2 | sst5 | jsonl | tau-retail | tau-airline
    std::string data;           // jsonl only
    std::string metric = "exact";  // jsonl: exact | contains | regex | labels | numeric | judge | webhook | exec
    std::string rubric;         // jsonl with metric = "judge"
    int64_t train_size = 64;
    int64_t val_size = 100;
    int64_t test_size = 0;
    int64_t seed = 0;
    bool whole_prompt = false;  // tau-*: false = only the "## Instructions" section is rewritten
    int64_t trials = 1;         // tau-*: episodes per task when scoring
    int64_t max_steps = 30;     // tau-*: agent steps per episode
};

// [target], [user], [rewriter] and [judge]: a chat model behind an endpoint or in-process.
struct EndpointSettings {
    std::string provider = "openai";  // openai | local
    std::string base_url = "https://api.openai.com/v1";
    std::string model = "gpt-4o-mini";
    std::string api_key_env = "OPENAI_API_KEY";
    double temperature = 0.0;
    int64_t max_tokens = 256;
    int64_t max_in_flight = 16;
    int64_t rpm = 0;
    int64_t tpm = 0;
    double timeout_s = 60;
    int64_t max_retries = 6;
    double price_input_per_mtok = 0.15;
    double price_output_per_mtok = 0.60;
};

struct DlmSettings {
    std::string model = "models/LLaDA-8B-Instruct";
    std::string url;                // a remote `remask serve`; wins over model when set
    std::vector<std::string> urls;  // every replica ([dlm] url as a list); url is the first
    double timeout_s = 600;         // remote only: per-request limit, then the next replica
    std::string api_key_env;        // for url: the variable holding its Bearer key ("" = none)
    std::string sampler = "low_confidence";
    int64_t steps = 32;
    double temperature = 0.7;
    int64_t block_length = 0;
    double threshold = 0.0;
    int64_t threads = 0;
    std::string quant = "none";
    std::string kv_cache = "dual";  // dual | none (docs/samplers.md: the measured drift)
    int64_t kv_refresh = 8;         // steps between full forwards with kv_cache = "dual"
    std::string compute = "auto";   // auto | f32 | bf16; quant = "int8" wins
};

struct OptimizerSettings {
    std::string proposer = "dlm";
    std::string mask_plan = "random-span";
    std::vector<double> mask_ratio = {0.1, 0.35};
    int64_t slack = 4;
    int64_t candidates = 4;
    int64_t minibatch = 8;
    std::string selection = "best";
    int64_t max_prompt_tokens = 1024;
    int64_t patience = 0;
    std::string prompt = "prompts/sst2.txt";
    std::string review = "none";  // none | terminal | web: who decides on each iteration's children
};

struct BudgetSettings {
    int64_t target_calls = 400;
    int64_t user_calls = 0;  // simulated-user calls (tau-*)
    int64_t dlm_forwards = 0;
    int64_t tokens = 0;
    double usd = 0.0;
    double wall_s = 0;
};

struct RunSettings {
    std::string dir = "runs/{task}-{time}";
    int64_t seed = 0;
    std::string cache;
};

struct Settings {
    TaskSettings task;
    EndpointSettings target;
    std::optional<EndpointSettings> user;
    std::optional<EndpointSettings> rewriter;
    std::optional<EndpointSettings> judge;
    ScorerSettings scorer;  // metric = "webhook" | "exec" only (tasks/scorer_settings.h)
    DlmSettings dlm;
    OptimizerSettings optimizer;
    BudgetSettings budget;
    RunSettings run;
    std::string source_file;  // where it came from, for messages
};

// Reads every known table; throws InputError naming the file, table and key at fault.
Settings load_settings(const std::string& path);
Settings parse_settings(const std::string& text, const std::string& source_name);

// Individual tables, for commands that take a TOML file for one part (`--target t.toml`).
EndpointSettings read_endpoint(TomlTable table);

// The resolved configuration as TOML (no secrets: only the name of the key's variable).
std::string settings_to_toml(const Settings& settings);

}  // namespace remask
