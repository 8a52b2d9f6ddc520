#pragma once
// Runs a target model over examples of a task and collects one EvalRow per example.
//
//   Evaluator evaluator(*task, *target, {.concurrency = 16, .progress_label = "eval sst2 dev"});
//   EvalResult result = evaluator.run(system_prompt, task->subset("dev", 100, seed));
//   Metrics m = compute_metrics(result.rows, task->labels(), seed);     // metrics.h
//
// Up to `concurrency` examples are in flight at once (worker threads; the client may bound
// requests further). Rows come back in the order of the examples, whatever order the calls
// finish in. The first error a call throws stops new work; it is rethrown once the calls
// in flight have returned.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "llm/language_model.h"
#include "tasks/eval_row.h"
#include "tasks/task.h"

namespace remask {

struct EvalOptions {
    size_t concurrency = 8;
    std::string progress_label;  // "" = no progress display
};

// What an evaluation spent. Calls and tokens here count only calls that were sent (cache
// hits are free); the rows show every call's tokens.
struct EvalCost {
    int64_t target_calls = 0;
    int64_t cached_calls = 0;
    Usage target_usage;
    int64_t judge_calls = 0;
    Usage judge_usage;
};

struct EvalResult {
    std::vector<EvalRow> rows;
    EvalCost cost;
};

class Evaluator {
public:
    Evaluator(const Task& task, LanguageModel& target, EvalOptions options = {});

    EvalResult run(const std::string& system_prompt, const std::vector<Example>& examples) const;

private:
    const Task& task_;
    LanguageModel& target_;
    EvalOptions options_;
};

}  // namespace remask
