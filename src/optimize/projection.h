#pragma once
// What a configuration will spend, printed before a run starts (`--dry-run` prints only
// this). Upper bounds where a cap exists, estimates elsewhere; every assumption is shown.
//
//   ProjectionInputs in{settings, train, val, test, prompt_tokens, forward_ms};
//   std::cerr << project_run(in).text();

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/settings.h"

namespace remask::optimize {

struct ProjectionInputs {
    Settings settings;
    size_t train = 0, val = 0, test = 0;    // split sizes
    size_t prompt_tokens = 0;               // the initial prompt
    double forward_ms = 0;                  // one DLM forward of K sequences, measured; 0 = unknown
    double partial_forward_ms = 0;          // one over the masked rows with [dlm] kv_cache = "dual"; 0 = as full
    int64_t kv_cache_bytes = 0;             // the dual KV cache of K sequences (0 = none or unknown)
    double input_tokens_per_example = 100;  // the example text the target sees
    double output_tokens_per_call = 32;     // what it answers (<= [target] max_tokens)
    double acceptance_rate = 0.25;          // share of children scored on validation
    // Multi-turn tasks (tau-*): target and simulated-user calls per example (all trials of
    // one task), estimated; 0 user calls = a task without a simulated user.
    double target_calls_per_example = 1;
    double user_calls_per_example = 0;
    std::vector<std::string> notes;  // printed under the figures (assumptions, who plays the user)
};

struct Projection {
    int64_t iterations = 0;           // estimated; -1 = not bounded by any cap
    int64_t target_calls_search = 0;  // at most this (the cap), or the estimate
    int64_t target_calls_test = 0;    // initial and best on the test split
    int64_t user_calls_search = 0;    // simulated-user calls (tau-*), estimated or the cap
    int64_t user_calls_test = 0;
    int64_t rewriter_calls = 0;
    int64_t dlm_forwards = 0;
    int64_t dlm_full_forwards = 0;    // of those, full forwards (all without the dual KV cache)
    int64_t kv_cache_bytes = 0;
    int64_t tokens = 0;
    double usd = 0;
    double dlm_seconds = 0;
    std::vector<std::string> notes;
    std::string text() const;  // multi-line, for a person
    nlohmann::json to_json() const;
};

Projection project_run(const ProjectionInputs& in);

}  // namespace remask::optimize
