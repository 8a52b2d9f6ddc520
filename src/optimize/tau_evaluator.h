#pragma once
// The PromptEvaluator of tau-retail and tau-airline: each example is a τ-bench task, run
// as `trials` episodes of the agent ([target]) with a simulated user ([user], else the
// target's endpoint, as `remask eval` does), through the client stack and its call cache.
//
// Agent calls count as "target", simulated-user calls as "user". max_target_calls() is
// the episodes' turn bound (tasks × trials × max_steps), so the loop never starts an
// evaluation that could cross [budget] target_calls; max_user_calls() likewise (one more
// than max_steps per episode: the user speaks first). A killed run pays nothing again for
// finished episodes: their calls come back from the call cache.

#include <map>
#include <memory>

#include "core/settings.h"
#include "llm/accounting.h"
#include "llm/language_model.h"
#include "optimize/prompt_evaluator.h"
#include "tasks/tau/splits.h"

namespace remask::optimize {

class TauPromptEvaluator : public PromptEvaluator {
  public:
    TauPromptEvaluator(const Settings& settings, std::shared_ptr<Accounting> accounting);
    ~TauPromptEvaluator() override;

    std::vector<Trace> evaluate(const std::string& system_prompt,
                                const std::vector<std::string>& example_ids) override;
    std::vector<std::string> split(const std::string& name) override;
    Spend spent() const override;
    int64_t max_target_calls(const std::string& system_prompt,
                             const std::vector<std::string>& example_ids) override;
    int64_t max_user_calls(const std::string& system_prompt,
                           const std::vector<std::string>& example_ids) override;

  private:
    Settings settings_;
    std::shared_ptr<Accounting> accounting_;
    const tau::TauDomain* domain_ = nullptr;
    std::unique_ptr<LanguageModel> agent_;
    std::unique_ptr<LanguageModel> user_;
    tau::TauSplits splits_;
    std::map<std::string, tau::TauTask> tasks_;  // by id, every split
};

// True for the task names this evaluator serves.
bool is_tau_task(const std::string& name);

}  // namespace remask::optimize
