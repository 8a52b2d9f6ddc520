#pragma once
// The real PromptEvaluator: a task from src/tasks/ ([task]) run against the target model
// ([target]) through the client stack, with its call cache ([run] cache). The examples of
// each split are drawn once, deterministically from [task] seed and sizes.

#include <map>
#include <memory>

#include "core/settings.h"
#include "llm/accounting.h"
#include "llm/language_model.h"
#include "optimize/prompt_evaluator.h"
#include "tasks/scorer.h"
#include "tasks/task.h"

namespace remask::optimize {

class TaskPromptEvaluator : public PromptEvaluator {
public:
    // accounting: shared with the run's other models (rewriter), so spent() covers all.
    TaskPromptEvaluator(const Settings& settings, std::shared_ptr<Accounting> accounting);
    ~TaskPromptEvaluator() override;

    std::vector<Trace> evaluate(const std::string& system_prompt,
                                const std::vector<std::string>& example_ids) override;
    std::vector<std::string> split(const std::string& name) override;
    Spend spent() const override;

private:
    Settings settings_;
    std::shared_ptr<Accounting> accounting_;
    std::unique_ptr<LanguageModel> target_;
    std::unique_ptr<LanguageModel> judge_;
    std::shared_ptr<Scorer> scorer_;  // jsonl webhook / exec; counts its own calls
    std::unique_ptr<Task> task_;
    std::map<std::string, Example> examples_;  // by id, every split drawn so far
};

}  // namespace remask::optimize
