#include "optimize/task_evaluator.h"

#include "core/error.h"
#include "llm/factory.h"
#include "tasks/evaluator.h"
#include "tasks/registry.h"
#include "tasks/scorer.h"

namespace remask::optimize {

TaskPromptEvaluator::TaskPromptEvaluator(const Settings& settings, std::shared_ptr<Accounting> accounting)
    : settings_(settings), accounting_(std::move(accounting)) {
    ClientOptions options;
    options.cache_path = settings.run.cache;
    options.accounting = accounting_;
    options.kind = "target";
    target_ = make_language_model(settings.target, options);
    TaskContext context;
    if (settings.judge) {
        options.kind = "judge";
        judge_ = make_language_model(*settings.judge, options);
        context.judge = judge_.get();
    }
    if (settings.task.name == "jsonl") {
        ScorerOptions scorer_options;
        scorer_options.cache_path = settings.run.cache;
        scorer_ = make_scorer(settings.task.metric, settings.scorer, scorer_options);
        context.scorer = scorer_;
    }
    task_ = make_task(settings.task, context);
}

TaskPromptEvaluator::~TaskPromptEvaluator() = default;

std::vector<std::string> TaskPromptEvaluator::split(const std::string& name) {
    std::string task_split = name == "val" ? "dev" : name;
    int64_t size = name == "train" ? settings_.task.train_size
                   : name == "val" ? settings_.task.val_size
                                   : settings_.task.test_size;
    std::vector<Example> drawn;
    try {
        drawn = task_->subset(task_split, static_cast<size_t>(size), static_cast<uint64_t>(settings_.task.seed));
    } catch (const InputError&) {
        if (name == "test") return {};  // a task without a test split: test is null
        throw;
    }
    std::vector<std::string> ids;
    for (Example& example : drawn) {
        ids.push_back(example.id);
        examples_[example.id] = std::move(example);
    }
    return ids;
}

std::vector<Trace> TaskPromptEvaluator::evaluate(const std::string& system_prompt,
                                                 const std::vector<std::string>& example_ids) {
    std::vector<Example> examples;
    for (const std::string& id : example_ids) {
        auto it = examples_.find(id);
        if (it == examples_.end()) throw InputError("example " + id, "is not in any split drawn for this run");
        examples.push_back(it->second);
    }
    EvalOptions options;
    options.concurrency = static_cast<size_t>(std::max<int64_t>(1, settings_.target.max_in_flight));
    EvalResult result = Evaluator(*task_, *target_, options).run(system_prompt, examples);
    std::vector<Trace> traces;
    for (const EvalRow& row : result.rows)
        traces.push_back({row.id, row.input, row.expected, row.reply, row.score, row.feedback});
    return traces;
}

Spend TaskPromptEvaluator::spent() const {
    Spend spend;
    spend.target_calls = accounting_->totals("target").calls;
    spend.user_calls = accounting_->totals("user").calls;
    spend.judge_calls = accounting_->totals("judge").calls;
    spend.scorer_calls = scorer_ ? scorer_->calls() : 0;
    // Rewriter calls are the proposer's to count; only what evaluation spends is here.
    for (const char* kind : {"target", "user", "judge"}) {
        KindTotals t = accounting_->totals(kind);
        spend.tokens += t.prompt_tokens + t.completion_tokens;
        spend.usd += t.usd;
    }
    return spend;
}

}  // namespace remask::optimize
