#include "optimize/tau_evaluator.h"

#include "core/error.h"
#include "llm/factory.h"
#include "optimize/tau_prompt.h"
#include "tasks/tau/runner.h"

namespace remask::optimize {
namespace {

// Names the model ([target] agent or [user] simulator) in the errors of its calls, so a
// failing endpoint is one clear line saying which table to fix.
class NamedModel : public LanguageModel {
  public:
    NamedModel(std::unique_ptr<LanguageModel> inner, std::string table)
        : inner_(std::move(inner)), table_(std::move(table)) {}
    ChatResponse chat(const ChatRequest& request) override {
        try {
            return inner_->chat(request);
        } catch (const BudgetExhausted&) {
            throw;
        } catch (const Error& error) {
            throw ExternalError(table_ + " " + error.subject(), error.detail());
        }
    }
    std::string describe() const override { return inner_->describe(); }

  private:
    std::unique_ptr<LanguageModel> inner_;
    std::string table_;
};

}  // namespace

bool is_tau_task(const std::string& name) { return name == "tau-retail" || name == "tau-airline"; }

TauPromptEvaluator::TauPromptEvaluator(const Settings& settings,
                                       std::shared_ptr<Accounting> accounting)
    : settings_(settings), accounting_(std::move(accounting)) {
    domain_ = &tau::load_tau_domain(settings.task.name);
    ClientOptions options;
    options.cache_path = settings.run.cache;
    options.accounting = accounting_;
    options.kind = "target";
    agent_ =
        std::make_unique<NamedModel>(make_language_model(settings.target, options), "[target]");
    options.kind = "user";
    // Without [user], the target's endpoint plays the user, as `remask eval` does.
    user_ = std::make_unique<NamedModel>(
        make_language_model(settings.user.value_or(settings.target), options),
        settings.user ? "[user]" : "[target] (as the simulated user)");
    splits_ = tau::tau_optimization_splits(*domain_, settings.task);
    for (const auto* list : {&splits_.train, &splits_.val, &splits_.test})
        for (const tau::TauTask& task : *list) tasks_[task.id] = task;
}

TauPromptEvaluator::~TauPromptEvaluator() = default;

std::vector<std::string> TauPromptEvaluator::split(const std::string& name) {
    const std::vector<tau::TauTask>& tasks = name == "train" ? splits_.train
                                             : name == "val" ? splits_.val
                                                             : splits_.test;
    std::vector<std::string> ids;
    for (const tau::TauTask& task : tasks) ids.push_back(task.id);
    return ids;
}

std::vector<Trace> TauPromptEvaluator::evaluate(const std::string& system_prompt,
                                                const std::vector<std::string>& example_ids) {
    tau::TauRunOptions options;
    for (const std::string& id : example_ids) {
        auto it = tasks_.find(id);
        if (it == tasks_.end())
            throw InputError("example " + id, "is not a task of any split drawn for this run");
        options.tasks.push_back(it->second);
    }
    options.trials = static_cast<int>(settings_.task.trials);
    options.concurrency = static_cast<int>(std::max<int64_t>(1, settings_.target.max_in_flight));
    options.episode.max_steps = static_cast<int>(settings_.task.max_steps);
    options.episode.temperature = settings_.target.temperature;
    options.episode.max_tokens = settings_.target.max_tokens;
    options.system_prompt = tau_agent_prompt(*domain_, system_prompt, settings_.task.whole_prompt);
    tau::TauRunResult result = tau::run_tau_episodes(*domain_, options, agent_.get(), user_.get());
    if (!result.failures.empty()) {
        // The batch is lost; its finished episodes are in the call cache, not paid again.
        const tau::EpisodeFailure& failure = result.failures.front();
        std::string id = std::to_string(failure.task_index);
        for (const tau::TauTask& task : options.tasks)
            if (task.index == failure.task_index) id = task.id;
        throw ExternalError("tau episode " + id + " trial " + std::to_string(failure.trial),
                            failure.error);
    }
    std::map<std::string, std::vector<tau::EpisodeResult>> by_task;
    for (tau::EpisodeResult& episode : result.episodes)
        by_task[episode.task_id].push_back(std::move(episode));
    std::vector<Trace> traces;
    for (const tau::TauTask& task : options.tasks)
        traces.push_back(tau_trace(task, by_task[task.id]));
    return traces;
}

Spend TauPromptEvaluator::spent() const {
    Spend spend;
    spend.target_calls = accounting_->totals("target").calls;
    spend.user_calls = accounting_->totals("user").calls;
    for (const char* kind : {"target", "user"}) {
        KindTotals t = accounting_->totals(kind);
        spend.tokens += t.prompt_tokens + t.completion_tokens;
        spend.usd += t.usd;
    }
    return spend;
}

int64_t TauPromptEvaluator::max_target_calls(const std::string&,
                                             const std::vector<std::string>& example_ids) {
    return static_cast<int64_t>(example_ids.size()) * settings_.task.trials *
           settings_.task.max_steps;
}

int64_t TauPromptEvaluator::max_user_calls(const std::string&,
                                           const std::vector<std::string>& example_ids) {
    return static_cast<int64_t>(example_ids.size()) * settings_.task.trials *
           (settings_.task.max_steps + 1);
}

}  // namespace remask::optimize
