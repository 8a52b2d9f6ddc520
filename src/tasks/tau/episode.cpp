#include "tasks/tau/episode.h"

#include "tasks/tau/oracle.h"
#include "llm/sha256.h"

namespace remask::tau {
namespace {

constexpr const char* kStop = "###STOP###";

Json message_to_json(const ChatMessage& message) {
    Json out = Json::object();
    out["role"] = message.role;
    if (message.role == "assistant" && message.content.empty() && !message.tool_calls.empty()) {
        out["content"] = nullptr;
    } else {
        out["content"] = message.content;
    }
    if (!message.tool_calls.empty()) {
        Json calls = Json::array();
        for (const auto& call : message.tool_calls) {
            calls.push_back(Json{{"id", call.id},
                                 {"type", "function"},
                                 {"function", Json{{"name", call.name}, {"arguments", call.arguments}}}});
        }
        out["tool_calls"] = std::move(calls);
    }
    if (message.role == "tool") {
        out["tool_call_id"] = message.tool_call_id;
        out["name"] = message.name;
    }
    return out;
}

void count_use(ModelUse& use, const ChatResponse& response) {
    (response.cached ? use.cached : use.calls) += 1;
    use.usage.prompt_tokens += response.usage.prompt_tokens;
    use.usage.completion_tokens += response.usage.completion_tokens;
    if (!response.cached) {
        use.billed.prompt_tokens += response.usage.prompt_tokens;
        use.billed.completion_tokens += response.usage.completion_tokens;
    }
}

// The simulated user's side of the conversation: its own message list, where the agent's
// words are "user" turns and its own replies "assistant" turns.
class SimulatedUser {
public:
    SimulatedUser(LanguageModel& model, const std::string& instruction, int trial, ModelUse& use)
        : model_(model), use_(use) {
        request_.sample_index = trial;
        request_.messages.push_back(ChatMessage{"system", user_simulator_prompt(instruction), {}, "", ""});
        request_.messages.push_back(ChatMessage{"user", "Hi! How can I help you today?", {}, "", ""});
    }
    std::string first_message() { return generate(); }
    std::string reply(const std::string& agent_text) {
        request_.messages.push_back(ChatMessage{"user", agent_text, {}, "", ""});
        return generate();
    }

private:
    std::string generate() {
        ChatResponse response = model_.chat(request_);
        count_use(use_, response);
        request_.messages.push_back(ChatMessage{"assistant", response.message.content, {}, "", ""});
        return response.message.content;
    }

    LanguageModel& model_;
    ModelUse& use_;
    ChatRequest request_;
};

nlohmann::json plain_json(const Json& ordered) { return nlohmann::json::parse(ordered.dump()); }

}  // namespace

std::string user_simulator_prompt(const std::string& instruction) {
    // Upstream's LLMUserSimulationEnv.build_system_prompt, word for word.
    return "You are a user interacting with an agent.\n\nInstruction: " + instruction +
           "\n\nRules:\n"
           "- Just generate one line at a time to simulate the user's message.\n"
           "- Do not give away all the instruction at once. Only provide the information that is necessary for "
           "the current step.\n"
           "- Do not hallucinate information that is not provided in the instruction. For example, if the agent "
           "asks for the order id but it is not mentioned in the instruction, do not make up an order id, just say "
           "you do not remember or have it.\n"
           "- If the instruction goal is satisified, generate '###STOP###' as a standalone message without anything "
           "else to end the conversation.\n"
           "- Do not repeat the exact instruction in the conversation. Instead, use your own words to convey the "
           "same information.\n"
           "- Try to make the conversation as natural as possible, and stick to the personalities in the "
           "instruction.";
}

std::string tau_system_prompt(const TauDomain& domain, const std::string& instructions, bool whole_prompt) {
    if (whole_prompt) return instructions;
    if (instructions.empty()) return domain.wiki;
    std::string prompt = domain.wiki;
    while (!prompt.empty() && prompt.back() == '\n') prompt.pop_back();
    return prompt + "\n\n## Instructions\n\n" + instructions;
}

EpisodeResult run_episode(const TauTask& task, const std::string& system_prompt, LanguageModel& agent,
                          LanguageModel& user, const EpisodeOptions& options, TauEnvironment& env,
                          TauEnvironment& scratch) {
    const TauDomain& domain = env.domain();

    EpisodeResult result;
    result.domain = domain.name;
    result.task_index = task.index;
    result.task_id = task.id;
    result.trial = options.trial;
    result.prompt_hash = sha256_hex(system_prompt).substr(0, 16);
    env.reset();

    SimulatedUser simulated_user(user, task.instruction, options.trial, result.user);
    ChatRequest request;
    request.tools = plain_json(domain.openai_tools());  // ~16 small schemas: cheap per episode
    request.temperature = options.temperature;
    request.max_tokens = options.max_tokens;
    request.sample_index = options.trial;
    request.messages.push_back(ChatMessage{"system", system_prompt, {}, "", ""});
    request.messages.push_back(ChatMessage{"user", simulated_user.first_message(), {}, "", ""});

    std::vector<std::string> agent_messages;
    result.end_reason = "max_steps";
    for (int step = 0; step < options.max_steps; ++step) {
        ChatResponse response = agent.chat(request);
        count_use(result.agent, response);
        ChatMessage message = response.message;
        message.role = "assistant";
        if (!message.tool_calls.empty()) {
            message.tool_calls.resize(1);  // one tool call at a time, as upstream
            ToolCall& call = message.tool_calls[0];
            if (call.id.empty()) call.id = "call_" + std::to_string(step);
            Json kwargs;
            std::string parse_error;
            std::string observation;
            if (parse_tool_arguments(call.arguments, &kwargs, &parse_error)) {
                observation = env.invoke(call.name, kwargs);
                result.actions.push_back({call.name, kwargs});
            } else {
                observation = "Error: " + parse_error;
                result.actions.push_back({call.name, Json(call.arguments)});  // the raw text, never a match
            }
            request.messages.push_back(message);
            request.messages.push_back(ChatMessage{"tool", observation, {}, call.id, call.name});
            if (env.is_terminal(call.name) && env.has_tool(call.name)) {
                result.end_reason = "transfer";
                break;
            }
            continue;
        }
        agent_messages.push_back(message.content);
        result.actions.push_back({"respond", Json{{"content", message.content}}});
        request.messages.push_back(message);
        std::string reply = simulated_user.reply(message.content);
        request.messages.push_back(ChatMessage{"user", reply, {}, "", ""});
        if (reply.find(kStop) != std::string::npos) {
            result.end_reason = "user_stop";
            break;
        }
    }

    RewardResult reward = compute_reward(task, env, agent_messages, scratch);
    result.database_ok = reward.database_ok;
    result.outputs = reward.outputs;
    // Upstream computes a reward only when the episode is done; at the step limit it is 0.
    result.reward = result.end_reason == "max_steps" ? 0.0 : reward.reward;
    result.feedback = episode_feedback(task, result.actions, reward, result.end_reason);
    result.messages = Json::array();
    for (const auto& message : request.messages) result.messages.push_back(message_to_json(message));
    return result;
}

EpisodeResult run_oracle_episode(const TauTask& task, const std::string& system_prompt,
                                 const EpisodeOptions& options, TauEnvironment& env, TauEnvironment& scratch) {
    OracleAgent agent(task);
    OracleUser user(task);
    EpisodeOptions oracle_options = options;
    oracle_options.max_steps = std::max(options.max_steps, static_cast<int>(task.actions.size()) + 2);
    EpisodeResult result = run_episode(task, system_prompt, agent, user, oracle_options, env, scratch);
    result.agent = ModelUse{};  // no model was called
    result.user = ModelUse{};
    return result;
}

}  // namespace remask::tau
