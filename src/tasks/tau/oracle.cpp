#include "tasks/tau/oracle.h"

namespace remask::tau {

OracleAgent::OracleAgent(const TauTask& task) {
    const TauAction* transfer = nullptr;
    for (const auto& action : task.actions) {
        if (action.name == "transfer_to_human_agents") {
            transfer = &action;
            continue;
        }
        ChatMessage call{"assistant", "", {}, "", ""};
        call.tool_calls.push_back(
            ToolCall{"oracle_" + std::to_string(script_.size()), action.name, python_json_dumps(action.kwargs)});
        script_.push_back(std::move(call));
    }
    if (!task.outputs.empty() || !transfer) {
        std::string text;
        for (const auto& output : task.outputs) text += (text.empty() ? "" : "\n") + output;
        script_.push_back(ChatMessage{"assistant", text.empty() ? "Your request is complete." : text, {}, "", ""});
    }
    if (transfer) {
        // Said outputs end the conversation before this; without outputs it ends it.
        ChatMessage call{"assistant", "", {}, "", ""};
        call.tool_calls.push_back(ToolCall{"oracle_transfer", transfer->name, python_json_dumps(transfer->kwargs)});
        script_.push_back(std::move(call));
    }
}

ChatResponse OracleAgent::chat(const ChatRequest&) {
    ChatResponse response;
    response.finish_reason = "stop";
    if (next_ < script_.size()) {
        response.message = script_[next_++];
    } else {
        response.message = ChatMessage{"assistant", "Is there anything else I can help with?", {}, "", ""};
    }
    return response;
}

ChatResponse OracleUser::chat(const ChatRequest& request) {
    ChatResponse response;
    response.finish_reason = "stop";
    // The opening request holds the system prompt and the greeting only.
    bool opening = request.messages.size() <= 2;
    response.message = ChatMessage{"assistant", opening ? instruction_ : "###STOP###", {}, "", ""};
    return response;
}

}  // namespace remask::tau
