#pragma once
// The JSON bodies of `remask serve` (INTERFACES.md "HTTP API"), parsed into typed structs
// with errors that name the field. The server and remask's own /v1/infill client both use
// this file, so the two cannot drift apart.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "llm/language_model.h"

namespace remask::api {

// A request the server must refuse; becomes {"error": {"message", "type"}} with `status`.
class HttpError : public std::runtime_error {
public:
    HttpError(int status, std::string type, const std::string& message)
        : std::runtime_error(message), status_(status), type_(std::move(type)) {}
    int status() const { return status_; }
    const std::string& type() const { return type_; }

private:
    int status_;
    std::string type_;
};

nlohmann::json error_body(const std::string& message, const std::string& type);

// POST /v1/chat/completions
struct ChatCompletionRequest {
    std::string model;
    std::vector<ChatMessage> messages;
    std::optional<double> temperature;
    std::optional<double> top_p;
    std::optional<int64_t> top_k;
    std::optional<int64_t> max_tokens;
    std::optional<int64_t> seed;
    std::vector<std::string> stop;
    int64_t n = 1;
    // Diffusion models only.
    std::optional<int64_t> steps;
    std::optional<int64_t> block_length;
    std::optional<std::string> sampler;
    std::optional<std::string> kv_cache;  // dual | none
    std::optional<int64_t> kv_refresh;    // steps between full forwards
};

// Throws HttpError(400) naming the field at fault.
ChatCompletionRequest parse_chat_completion_request(const nlohmann::json& body);
nlohmann::json to_json(const ChatCompletionRequest& request);

// POST /v1/infill
struct InfillHttpRequest {
    std::string text;     // with <mask:N> slots
    std::string context;  // optional user turn
    int64_t steps = 32;
    std::string sampler = "low_confidence";
    double temperature = 0.7;
    std::optional<int64_t> seed;
    int64_t candidates = 1;
    int64_t slack = 0;
    double threshold = 0.0;
    int64_t block_length = 0;
    std::string kv_cache = "dual";  // dual | none (the [dlm] defaults)
    int64_t kv_refresh = 8;
};

struct InfillSpan {
    int64_t start = 0;  // byte offsets of the filled span in the candidate's text
    int64_t end = 0;
    std::string filled;
};

struct InfillHttpCandidate {
    std::string text;
    std::vector<InfillSpan> spans;
};

struct InfillHttpResponse {
    std::vector<InfillHttpCandidate> candidates;
    int64_t forward_passes = 0;
    int64_t tokens = 0;
};

InfillHttpRequest parse_infill_request(const nlohmann::json& body);
nlohmann::json to_json(const InfillHttpRequest& request);
nlohmann::json to_json(const InfillHttpResponse& response);
// Throws std::runtime_error naming the field when a server's reply does not fit the schema.
InfillHttpResponse parse_infill_response(const nlohmann::json& body);

}  // namespace remask::api
