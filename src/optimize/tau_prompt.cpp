#include "optimize/tau_prompt.h"

#include <algorithm>
#include <sstream>

#include "optimize/prompt_text.h"

namespace remask::optimize {
namespace {

// The policy and the heading, exactly as tau_system_prompt joins them.
std::string locked_head(const tau::TauDomain& domain) {
    std::string head = domain.wiki;
    while (!head.empty() && head.back() == '\n') head.pop_back();
    return head + "\n\n## Instructions\n\n";
}

std::string trimmed(const std::string& text) {
    size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    size_t end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
}

std::string action_text(const tau::TauAction& action) {
    return action.name + "(" +
           (action.kwargs.is_object() && action.kwargs.empty() ? "" : action.kwargs.dump()) + ")";
}

}  // namespace

std::string tau_initial_prompt(const tau::TauDomain& domain, const std::string& instructions,
                               bool whole_prompt) {
    if (whole_prompt) return tau::tau_system_prompt(domain, trimmed(instructions), false);
    return std::string(kKeepOpen) + locked_head(domain) + kKeepClose + trimmed(instructions);
}

std::string tau_agent_prompt(const tau::TauDomain& domain, const std::string& rendered,
                             bool whole_prompt) {
    if (whole_prompt) return rendered;
    const std::string head = locked_head(domain);
    if (rendered.compare(0, head.size(), head) != 0) return rendered;  // not ours: sent as is
    return tau::tau_system_prompt(domain, trimmed(rendered.substr(head.size())), false);
}

Trace tau_trace(const tau::TauTask& task, const std::vector<tau::EpisodeResult>& trials) {
    Trace trace;
    trace.example_id = task.id;
    trace.input = "User goal: " + task.instruction;
    if (trials.empty()) return trace;
    double sum = 0;
    for (const tau::EpisodeResult& e : trials) {
        sum += e.reward;
        trace.trial_scores.push_back(e.reward);
    }
    trace.score = sum / static_cast<double>(trials.size());
    if (trials.size() == 1) trace.trial_scores.clear();
    const tau::EpisodeResult& worst = *std::min_element(
        trials.begin(), trials.end(), [](const tau::EpisodeResult& a, const tau::EpisodeResult& b) {
            return a.reward < b.reward;
        });
    std::ostringstream reply;
    std::string last_message;
    std::string actions;
    for (const tau::TauAction& action : worst.actions) {
        if (action.name == "respond") {
            last_message = action.kwargs.value("content", "");
            continue;
        }
        actions += (actions.empty() ? "" : "; ") + action_text(action);
    }
    reply << "Actions: " << (actions.empty() ? "none" : actions)
          << "\nLast message: " << last_message;
    trace.reply = reply.str();
    std::ostringstream feedback;
    feedback << worst.feedback;
    if (trials.size() > 1) {
        feedback << (worst.feedback.empty() ? "" : "\n") << "Rewards over " << trials.size()
                 << " trials:";
        for (double r : trace.trial_scores) feedback << " " << r;
    }
    trace.feedback = feedback.str();
    return trace;
}

}  // namespace remask::optimize
