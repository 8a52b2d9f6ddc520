#pragma once
// What `remask eval` prints and writes (INTERFACES.md, `remask eval`), kept out of the
// command so tests can check it: the --out row, the --json summary, the text table, and
// the cost estimate printed before a run.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/eval_row.h"
#include "tasks/evaluator.h"
#include "tasks/metrics.h"
#include "tasks/task.h"

namespace remask {

// Keys in the documented order. {"id", "input", "expected", "reply", "parsed" (null when unparseable), "score",
//  "feedback", "tokens_in", "tokens_out", "cached"}
nlohmann::ordered_json eval_row_json(const EvalRow& row);

// {"task", "split", "n", "accuracy", "macro_f1", "parse_failures", "mean", "ci95": [lo, hi],
//  "calls", "usd"}; accuracy and macro_f1 only for classification. parse_failures is a count.
// calls: target calls sent (cache hits excluded); usd: every call of the run (target + judge).
nlohmann::ordered_json eval_summary_json(const std::string& task, const std::string& split,
                                 const Metrics& metrics, int64_t calls, double usd);

struct SpendSummary {
    int64_t target_calls = 0;
    int64_t cache_hits = 0;
    Usage target_usage;
    int64_t judge_calls = 0;
    Usage judge_usage;
    int64_t scorer_calls = 0;  // webhook / exec requests sent (cache hits excluded; not capped)
    int64_t scorer_cache_hits = 0;
    double usd = 0.0;
};

// The human-readable result: metrics with 95% intervals, the confusion matrix for
// classification, then calls, tokens and cost.
std::string eval_table(const std::string& task, const std::string& split, const Metrics& metrics,
                       const SpendSummary& spend);

struct CostEstimate {
    int64_t target_calls = 0;  // at most this many (cache hits are free)
    int64_t judge_calls = 0;
    int64_t tokens_in = 0;
    int64_t tokens_out = 0;      // at the task's typical reply length
    int64_t tokens_out_max = 0;  // if every reply ran to max_tokens
    double usd = 0.0;
    double usd_max = 0.0;
};

struct PriceSheet {
    double input_per_mtok = 0.0;
    double output_per_mtok = 0.0;
    int64_t max_tokens = 256;
};

// Tokens are estimated at 4 characters each plus a few per message; a judge call adds the
// rubric, question, reference and a typical reply, and ~60 output tokens.
CostEstimate estimate_cost(const Task& task, const std::string& system_prompt,
                           const std::vector<Example>& examples, const PriceSheet& target,
                           const PriceSheet* judge, const std::string& rubric);

// "eval: 872 examples → at most 872 target calls (cache hits are free), ~61k input and
//  ~3k output tokens, about $0.011 (at most $0.14 if every reply ran to max_tokens)"
std::string describe_estimate(const CostEstimate& estimate, size_t examples);

}  // namespace remask
