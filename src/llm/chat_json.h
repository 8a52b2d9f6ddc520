#pragma once
// The OpenAI chat-completions wire format: requests to JSON, replies from JSON, and the
// canonical form of a request that keys the cache.
//
//   json body = chat_request_body(request, settings);        // what is POSTed
//   std::string key = cache_key(settings.base_url, body, request.sample_index);
//   ReplyParse parsed = parse_chat_reply(http_body);         // never throws

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "core/settings.h"
#include "llm/language_model.h"

namespace remask {

nlohmann::json message_to_json(const ChatMessage& message);

// The request body: model, messages, sampling parameters (the request's, else the
// endpoint's temperature / max_tokens), stop, tools, tool_choice. No secrets.
nlohmann::json chat_request_body(const ChatRequest& request, const EndpointSettings& settings);

// SHA-256 (hex) of the canonical JSON {base_url, body, sample_index}; nlohmann::json keeps
// object keys sorted, so equal requests give equal text.
std::string cache_key(const std::string& base_url, const nlohmann::json& body, int sample_index);

// A reply body that is not a usable completion is an expected failure (retried), so it is
// returned as a value with the reason instead of thrown.
struct ReplyParse {
    std::optional<ChatResponse> response;
    std::string problem;  // why it is unusable, when response is empty
    bool usage_reported = false;
};
ReplyParse parse_chat_reply(const std::string& body);

// The server's error message from an error body ({"error": {"message": ...}} or
// {"error": "..."} or {"message": ...}), else the body's first 200 bytes on one line.
std::string server_error_message(const std::string& body);

// What the cache stores for an answer (the parsed response; never the request headers).
nlohmann::json response_to_json(const ChatResponse& response);
ChatResponse response_from_json(const nlohmann::json& json);

// A rough token count (bytes / 4) for rate limiting and for servers that omit usage.
int64_t estimate_tokens(const std::string& text);

}  // namespace remask
