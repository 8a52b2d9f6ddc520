#pragma once
// The optimizer loop (DESIGN.md §2) over a run directory:
//
//   pool = {P0 scored on val}
//   while no budget is reached and patience lasts:
//       parent   = select(pool)                  (best | pareto; rng from (seed, iteration))
//       batch    = `minibatch` train examples     (rng from (seed, iteration))
//       traces   = parent on batch
//       children = proposer(parent, traces, K)
//       each child scored on batch; better than the parent there → scored on val, pooled
//   best on val (P0 wins ties, so the result is never worse than P0 on val); test scores of
//   the best and of P0; best_prompt.txt, summary.json.
//
// Every evaluation, proposal, review and decision is journaled in events.jsonl as it
// happens, and checkpoint.json is rewritten after each iteration. run_optimizer() on a run
// directory that has a checkpoint continues from it, looking every journaled step up
// instead of repeating it; since each iteration's randomness derives from (seed, iteration)
// alone, a resumed run ends exactly as an uninterrupted one (given deterministic parts).
//
// Budget: the target-call cap (and the simulated-user cap) covers the search (initial validation, minibatches,
// validation of accepted children) and is never crossed (checked before each evaluation
// with PromptEvaluator::max_target_calls). The final test scoring comes after the search
// and is not capped; its calls are in summary.json like all others.

#include <atomic>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/settings.h"
#include "optimize/feedback.h"
#include "optimize/prompt_evaluator.h"
#include "optimize/proposer.h"
#include "optimize/review.h"
#include "optimize/run_directory.h"

namespace remask::optimize {

struct OptimizerParts {
    PromptEvaluator* evaluator = nullptr;
    Proposer* proposer = nullptr;
    TokenSplitter splitter;
    Reviewer* reviewer = nullptr;  // --review
    FeedbackBook feedback;         // --feedback FILE
};

struct OptimizerHooks {
    // Called after each event is written (tests stop a run here to simulate a crash).
    std::function<void(const nlohmann::json&)> on_event;
    // Set by a Ctrl-C handler: the loop stops between steps and throws Interrupted.
    const std::atomic<bool>* stop_requested = nullptr;
    bool show_progress = true;
};

// The run stopped on request; everything done so far is in the run directory.
class Interrupted : public Error {
  public:
    using Error::Error;
    int exit_code() const override { return 130; }
};

struct OptimizeResult {
    std::string best_id;
    std::string best_prompt;
    double best_val = 0;
    double initial_val = 0;
    std::optional<double> best_test;
    std::optional<double> initial_test;
    std::string stop_reason;  // "target_calls", "patience", "review", ...
    int64_t iterations = 0;   // completed
    nlohmann::json summary;   // exactly what summary.json holds
};

// initial_prompt: the stored form (with <keep> markers); ignored when `dir` has a
// checkpoint (the run continues from it).
OptimizeResult run_optimizer(const Settings& settings, RunDirectory& dir,
                             const std::string& initial_prompt, OptimizerParts& parts,
                             const OptimizerHooks& hooks = {});

}  // namespace remask::optimize
