#include "tasks/tau/summary.h"

#include <cmath>
#include <cstdio>
#include <map>

namespace remask::tau {
namespace {

double usd_of(const Usage& billed, const Prices& prices) {
    return (static_cast<double>(billed.prompt_tokens) * prices.input_per_mtok +
            static_cast<double>(billed.completion_tokens) * prices.output_per_mtok) / 1e6;
}

std::string format(const char* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

// Rewards per task index, in trial order (failed episodes absent).
std::map<int, std::vector<double>> rewards_by_task(const TauRunResult& result) {
    std::map<int, std::vector<double>> out;
    for (const auto& episode : result.episodes) out[episode.task_index].push_back(episode.reward);
    return out;
}

}  // namespace

double RunCost::usd(const TauRunResult& result) const {
    return usd_of(result.agent.billed, target) + usd_of(result.user.billed, user);
}

std::pair<double, double> reward_ci95(const TauRunResult& result, size_t planned) {
    if (planned == 0) return {0, 0};
    double mean = result.mean_reward;
    double sum_sq = 0;
    for (const auto& episode : result.episodes) sum_sq += (episode.reward - mean) * (episode.reward - mean);
    size_t missing = planned > result.episodes.size() ? planned - result.episodes.size() : 0;
    sum_sq += static_cast<double>(missing) * mean * mean;  // failures count as 0
    double half = planned > 1 ? 1.96 * std::sqrt(sum_sq / static_cast<double>(planned - 1) / static_cast<double>(planned)) : 0.0;
    return {std::max(0.0, mean - half), std::min(1.0, mean + half)};
}

Json tau_summary_json(const std::string& task, const std::string& split, int trials, const TauRunResult& result,
                      const RunCost& cost) {
    auto by_task = rewards_by_task(result);
    Json tasks = Json::array();
    for (const auto& [index, rewards] : by_task) tasks.push_back(Json{{"task_index", index}, {"rewards", rewards}});
    const size_t planned = result.task_count * static_cast<size_t>(result.trials);
    Json pass = Json::object();
    for (size_t k = 0; k < result.pass_hat_k.size(); ++k) pass[std::to_string(k + 1)] = result.pass_hat_k[k];
    auto [lo, hi] = reward_ci95(result, planned);
    Json failures = Json::array();
    for (const auto& failure : result.failures) {
        failures.push_back(Json{{"task_index", failure.task_index}, {"trial", failure.trial}, {"error", failure.error}});
    }
    return Json{{"task", task},
                {"split", split},
                {"n", result.task_count},
                {"trials", trials},
                {"mean", result.mean_reward},
                {"ci95", Json::array({lo, hi})},
                {"pass_hat_k", pass},
                {"calls", result.agent.calls},
                {"user_calls", result.user.calls},
                {"cached", result.agent.cached + result.user.cached},
                {"tokens_in", result.agent.usage.prompt_tokens + result.user.usage.prompt_tokens},
                {"tokens_out", result.agent.usage.completion_tokens + result.user.usage.completion_tokens},
                {"usd", cost.usd(result)},
                {"resumed", result.resumed},
                {"failures", failures},
                {"tasks", tasks}};
}

std::string tau_summary_text(const std::string& task, const std::string& split, int trials,
                             const TauRunResult& result, const RunCost& cost) {
    std::string out;
    for (const auto& episode : result.episodes) {
        char line[160];
        std::snprintf(line, sizeof line, "task %4d  trial %d  reward %g  %-9s  %d agent steps\n", episode.task_index,
                      episode.trial, episode.reward, episode.end_reason.c_str(),
                      static_cast<int>(episode.actions.size()));
        out += line;
    }
    for (const auto& failure : result.failures) {
        out += "task " + std::to_string(failure.task_index) + "  trial " + std::to_string(failure.trial) +
               "  failed: " + failure.error + "\n";
    }
    const size_t planned = result.task_count * static_cast<size_t>(result.trials);
    auto [lo, hi] = reward_ci95(result, planned);
    const size_t tasks = result.task_count;
    out += task + " " + split + ": " + std::to_string(tasks) + " tasks x " + std::to_string(trials) + " trial" +
           (trials == 1 ? "" : "s") + (result.resumed ? " (" + std::to_string(result.resumed) + " episodes resumed)" : "") +
           "\n";
    for (size_t k = 0; k < result.pass_hat_k.size(); ++k) {
        out += "pass^" + std::to_string(k + 1) + " " + format("%.4f", result.pass_hat_k[k]) + "\n";
    }
    out += "mean reward " + format("%.4f", result.mean_reward) + " (95% CI " + format("%.4f", lo) + "-" +
           format("%.4f", hi) + ")\n";
    out += "calls: target " + std::to_string(result.agent.calls) + " (+" + std::to_string(result.agent.cached) +
           " cached), user " + std::to_string(result.user.calls) + " (+" + std::to_string(result.user.cached) +
           " cached); cost $" + format("%.4f", cost.usd(result)) + "\n";
    return out;
}

}  // namespace remask::tau
