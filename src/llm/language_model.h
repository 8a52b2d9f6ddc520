#pragma once
// The one interface every chat model sits behind: an OpenAI-compatible endpoint, a model
// run in-process, or a fake in tests. Messages in, one message out, with usage.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace remask {

struct ToolCall {
    std::string id;
    std::string name;
    std::string arguments;  // JSON text exactly as the model wrote it (may be malformed)
};

struct ChatMessage {
    std::string role;  // system | user | assistant | tool
    std::string content;
    std::vector<ToolCall> tool_calls;  // assistant messages that call tools
    std::string tool_call_id;          // tool messages: which call this answers
    std::string name;                  // optional
};

struct ChatRequest {
    std::vector<ChatMessage> messages;
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<int64_t> max_tokens;
    std::optional<int64_t> seed;
    std::vector<std::string> stop;
    nlohmann::json tools;        // OpenAI "tools" array, or null
    nlohmann::json tool_choice;  // "auto" | "none" | {...}, or null
    int sample_index = 0;        // distinguishes repeated samples of one request in the cache
};

struct Usage {
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
};

struct ChatResponse {
    ChatMessage message;
    std::string finish_reason;
    Usage usage;
    bool cached = false;  // answered from the cache: no call was made
};

class LanguageModel {
public:
    virtual ~LanguageModel() = default;
    // Throws an Error subclass when the call cannot succeed (after retries, or a 4xx that
    // must not be retried, or an exhausted budget).
    virtual ChatResponse chat(const ChatRequest& request) = 0;
    // A name for logs and reports, e.g. "gpt-4o-mini@https://api.openai.com/v1".
    virtual std::string describe() const = 0;
};

}  // namespace remask
