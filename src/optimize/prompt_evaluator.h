#pragma once
// The optimizer's view of a task and its target model: run a system prompt on examples,
// get scored traces back. The real adapter wraps src/tasks/ and src/llm/ (with its cache);
// tests use fakes.
//
//   std::vector<std::string> val = evaluator.split("val");
//   std::vector<Trace> traces = evaluator.evaluate(prompt_text, val);
//   Spend so_far = evaluator.spent();

#include <cstdint>
#include <string>
#include <vector>

#include "optimize/trace.h"

namespace remask::optimize {

class PromptEvaluator {
  public:
    virtual ~PromptEvaluator() = default;

    // Runs the target with `system_prompt` (already rendered: no <keep> markers) on each
    // example and returns one trace per id, in the order of `example_ids`. May throw an
    // Error (network, budget); a throw loses only this batch.
    virtual std::vector<Trace> evaluate(const std::string& system_prompt,
                                        const std::vector<std::string>& example_ids) = 0;

    // Example ids of a split: "train" (minibatches are drawn from it), "val" (dev), "test".
    // Stable across calls and processes for one configuration; "test" may be empty.
    virtual std::vector<std::string> split(const std::string& name) = 0;

    // Everything spent so far by this evaluator (target, simulated-user and judge calls
    // actually sent, tokens, money). Monotonic.
    virtual Spend spent() const = 0;

    // An upper bound of the target calls evaluate(prompt, ids) could send, so the loop never
    // starts work that could cross the target-call cap. One call per example by default;
    // multi-turn tasks return their turn bound, a cache-aware adapter may return less.
    virtual int64_t max_target_calls(const std::string& system_prompt,
                                     const std::vector<std::string>& example_ids) {
        (void)system_prompt;
        return static_cast<int64_t>(example_ids.size());
    }

    // The same bound for simulated-user calls ([budget] user_calls); 0 for tasks without a
    // simulated user.
    virtual int64_t max_user_calls(const std::string& system_prompt,
                                   const std::vector<std::string>& example_ids) {
        (void)system_prompt;
        (void)example_ids;
        return 0;
    }
};

}  // namespace remask::optimize
