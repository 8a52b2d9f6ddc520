#pragma once
// The one interface every chat model sits behind: an OpenAI-compatible endpoint, a model
// run in-process, or a fake in tests. Messages in, one message out, with usage.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <exception>
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

    static ChatMessage of(std::string role, std::string content) {
        ChatMessage message;
        message.role = std::move(role);
        message.content = std::move(content);
        return message;
    }
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

// One result of a batch: a response, or the error that ended that request (so one failing
// request never loses the other answers). value() rethrows the stored error.
struct ChatOutcome {
    std::optional<ChatResponse> response;
    std::exception_ptr error;   // set when response is empty
    std::string error_message;  // the error as one line, for logs and reports

    bool ok() const { return response.has_value(); }
    const ChatResponse& value() const;
};

class LanguageModel {
public:
    virtual ~LanguageModel() = default;
    // Throws an Error subclass when the call cannot succeed (after retries, or a 4xx that
    // must not be retried, or an exhausted budget).
    // The openai provider may be called from several threads at once.
    virtual ChatResponse chat(const ChatRequest& request) = 0;
    // Runs every request, as many at once as the model allows; outcomes in request order.
    // The default runs them one after another; the openai provider keeps its in-flight
    // bound full.
    virtual std::vector<ChatOutcome> chat_batch(const std::vector<ChatRequest>& requests);
    // A name for logs and reports, e.g. "gpt-4o-mini@https://api.openai.com/v1".
    virtual std::string describe() const = 0;
};

// chat() with any exception turned into an error outcome.
ChatOutcome chat_outcome(LanguageModel& model, const ChatRequest& request);
// Runs requests on `concurrency` threads that each call model.chat(); outcomes in order.
std::vector<ChatOutcome> run_chat_batch(LanguageModel& model, const std::vector<ChatRequest>& requests,
                                        size_t concurrency);

}  // namespace remask
