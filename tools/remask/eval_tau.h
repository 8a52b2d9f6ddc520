#pragma once
// `remask eval --task tau-retail|tau-airline`: the τ-bench part of the eval command.
// The eval command (another file) parses flags into TauEvalArgs and calls run_tau_eval;
// this file registers no subcommand.
//
//   TauEvalArgs args;
//   args.task = "tau-retail"; args.split = "test"; args.agent = "oracle";
//   run_tau_eval(args);   // prints per-task rewards and pass^1 on stdout
//
// With agent "llm", make_target builds the agent model and make_user the simulated user
// (e.g. make_language_model with ClientOptions kind "target" / "user"), so their calls are
// counted and capped apart.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "llm/language_model.h"

namespace remask::cli {

struct TauEvalArgs {
    std::string task;             // tau-retail | tau-airline
    std::string split = "test";   // retail: train | dev | test; airline: train | test (seeded halves) | all
    std::string agent = "llm";    // llm | oracle
    std::function<std::unique_ptr<LanguageModel>()> make_target;  // the agent (llm only)
    std::function<std::unique_ptr<LanguageModel>()> make_user;    // the simulated user (llm only)
    double target_price_input_per_mtok = 0;
    double target_price_output_per_mtok = 0;
    double user_price_input_per_mtok = 0;
    double user_price_output_per_mtok = 0;
    std::optional<double> temperature;  // agent sampling ([target] temperature)
    std::optional<int64_t> max_tokens;  // agent answer cap ([target] max_tokens)
    int trials = 1;                     // --trials: pass^k for k = 1..trials
    int limit = 0;                      // first N tasks of the split; 0 = all
    std::string out;                    // --out: transcripts (JSONL); also what a rerun resumes from
    bool json = false;                  // --json
    int concurrency = 4;                // episodes in flight
    std::string prompt_file;            // the instructions section ("" = the policy alone)
    bool whole_prompt = false;          // prompt_file is the entire system prompt
    uint64_t seed = 0;                  // airline's train/test cut
    int max_steps = 30;                 // agent steps per episode (upstream 30)
    std::string data_dir;               // "" = find data/tau-bench
};

// Runs the episodes and prints the results (text, or JSON with args.json). Returns the
// exit code (0); throws remask::Error (UsageError for bad arguments).
int run_tau_eval(const TauEvalArgs& args);

}  // namespace remask::cli
