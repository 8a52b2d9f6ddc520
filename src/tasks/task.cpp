#include "tasks/task.h"

#include "tasks/sampling.h"

namespace remask {

std::vector<Example> Task::subset(const std::string& split_name, size_t n, uint64_t seed) const {
    const auto& pool = split(split_name);
    std::vector<std::string> strata(pool.size());
    if (is_classification())
        for (size_t i = 0; i < pool.size(); ++i) strata[i] = pool[i].expected;
    std::vector<Example> out;
    for (size_t i : stratified_sample(strata, n, seed)) out.push_back(pool[i]);
    return out;
}

std::vector<ChatMessage> SingleTurnTask::messages(const std::string& system_prompt,
                                                  const Example& example) const {
    std::vector<ChatMessage> out;
    if (!system_prompt.empty()) out.push_back(ChatMessage::of("system", system_prompt));
    out.push_back(ChatMessage::of("user", example.input));
    return out;
}

Attempt SingleTurnTask::attempt(const std::string& system_prompt, const Example& example,
                                LanguageModel& target) const {
    Attempt a = ask(system_prompt, example, target);
    a.scored = score(example, a.reply);
    return a;
}

Attempt SingleTurnTask::ask(const std::string& system_prompt, const Example& example, LanguageModel& target) const {
    ChatRequest request;
    request.messages = messages(system_prompt, example);
    const ChatResponse response = target.chat(request);
    Attempt a;
    a.reply = response.message.content;
    a.usage_all = response.usage;
    if (response.cached) {
        a.cached_calls = 1;
    } else {
        a.target_calls = 1;
        a.usage = response.usage;
    }
    return a;
}

}  // namespace remask
