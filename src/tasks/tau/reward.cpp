#include "tasks/tau/reward.h"

#include <mutex>
#include <unordered_map>

namespace remask::tau {
namespace {

std::string lower_ascii(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

std::string call_text(const std::string& name, const Json& kwargs) {
    return name + "(" + python_json_dumps(kwargs) + ")";
}

}  // namespace

Json ground_truth_changes(const TauTask& task, TauEnvironment& scratch) {
    static std::mutex mutex;
    static std::unordered_map<std::string, Json> cache;
    std::string key = std::to_string(scratch.domain().instance_id) + "|";
    for (const auto& action : task.actions) key += call_text(action.name, action.kwargs) + ";";
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto it = cache.find(key);
        if (it != cache.end()) return it->second;
    }
    scratch.reset();
    for (const auto& action : task.actions) {
        if (!scratch.is_terminal(action.name)) scratch.invoke(action.name, action.kwargs);
    }
    Json changes = scratch.changes();
    scratch.reset();
    std::lock_guard<std::mutex> lock(mutex);
    cache.emplace(key, changes);
    return changes;
}

bool output_was_said(const std::string& output, const std::vector<std::string>& agent_messages) {
    const std::string wanted = lower_ascii(output);
    for (const auto& message : agent_messages) {
        std::string text = lower_ascii(message);
        std::erase(text, ',');
        if (text.find(wanted) != std::string::npos) return true;
    }
    return false;
}

RewardResult compute_reward(const TauTask& task, const TauEnvironment& env,
                            const std::vector<std::string>& agent_messages, TauEnvironment& scratch) {
    RewardResult result;
    result.actual_changes = env.changes();
    result.expected_changes = ground_truth_changes(task, scratch);
    // Same changes relative to the same initial data <=> same data hash.
    result.database_ok = python_values_equal(result.actual_changes, result.expected_changes);
    bool all_said = true;
    for (const auto& output : task.outputs) {
        bool said = output_was_said(output, agent_messages);
        result.outputs.emplace_back(output, said);
        all_said = all_said && said;
    }
    result.reward = result.database_ok && all_said ? 1.0 : 0.0;
    return result;
}

std::vector<double> pass_hat_k(const std::vector<int>& successes_per_task, int trials) {
    auto choose = [](int n, int k) {
        if (k < 0 || k > n) return 0.0;
        double value = 1;
        for (int i = 1; i <= k; ++i) value = value * (n - k + i) / i;
        return value;
    };
    std::vector<double> out;
    for (int k = 1; k <= trials; ++k) {
        double sum = 0;
        for (int c : successes_per_task) sum += choose(c, k) / choose(trials, k);
        out.push_back(successes_per_task.empty() ? 0.0 : sum / static_cast<double>(successes_per_task.size()));
    }
    return out;
}

bool is_read_only_tool(const std::string& name) {
    for (const char* prefix : {"get_", "find_", "list_", "search_"}) {
        if (name.rfind(prefix, 0) == 0) return true;
    }
    return name == "calculate" || name == "think";
}

std::string episode_feedback(const TauTask& task, const std::vector<TauAction>& episode_actions,
                             const RewardResult& reward, const std::string& end_reason) {
    std::vector<std::string> lines;
    std::vector<bool> used(episode_actions.size(), false);
    // Ground-truth calls first matched exactly, then by name (called with other arguments).
    std::vector<int> exact(task.actions.size(), -1);
    for (size_t g = 0; g < task.actions.size(); ++g) {
        for (size_t e = 0; e < episode_actions.size(); ++e) {
            if (!used[e] && episode_actions[e].name == task.actions[g].name &&
                py_equal(episode_actions[e].kwargs, task.actions[g].kwargs)) {
                used[e] = true;
                exact[g] = static_cast<int>(e);
                break;
            }
        }
    }
    for (size_t g = 0; g < task.actions.size(); ++g) {
        if (exact[g] >= 0) continue;
        const TauAction& expected = task.actions[g];
        int similar = -1;
        for (size_t e = 0; e < episode_actions.size() && similar < 0; ++e) {
            if (!used[e] && episode_actions[e].name == expected.name) similar = static_cast<int>(e);
        }
        // Missed lookups do not matter to the reward; say so only for state changes.
        if (is_read_only_tool(expected.name) && reward.database_ok) continue;
        if (similar >= 0) {
            used[static_cast<size_t>(similar)] = true;
            lines.push_back("wrong arguments: called " +
                            call_text(expected.name, episode_actions[static_cast<size_t>(similar)].kwargs) +
                            "; expected " + call_text(expected.name, expected.kwargs));
        } else {
            lines.push_back("missed action: " + call_text(expected.name, expected.kwargs));
        }
    }
    for (size_t e = 0; e < episode_actions.size(); ++e) {
        const TauAction& action = episode_actions[e];
        if (used[e] || action.name == "respond" || is_read_only_tool(action.name)) continue;
        lines.push_back("unexpected action: " + call_text(action.name, action.kwargs));
    }
    if (!reward.database_ok && lines.empty()) lines.push_back("the final database differs from the expected one");
    for (const auto& [output, said] : reward.outputs) {
        if (!said) lines.push_back("output not said: \"" + output + "\"");
    }
    if (end_reason == "max_steps") lines.push_back("the episode hit the step limit before the user ended it");
    if (end_reason == "transfer" && reward.reward < 1) lines.push_back("the agent transferred to a human agent");
    std::string text;
    for (const auto& line : lines) text += (text.empty() ? "" : "\n") + line;
    return text;
}

}  // namespace remask::tau
