#include "server/api_schema.h"

namespace remask::api {
namespace {

using nlohmann::json;

[[noreturn]] void bad_field(const std::string& field, const std::string& what) {
    throw HttpError(400, "invalid_request_error", "'" + field + "': " + what);
}

std::optional<double> optional_number(const json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) bad_field(key, "expected a number");
    return it->get<double>();
}

std::optional<int64_t> optional_integer(const json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) bad_field(key, "expected an integer");
    return it->get<int64_t>();
}

std::optional<std::string> optional_string(const json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) bad_field(key, "expected a string");
    return it->get<std::string>();
}

// OpenAI allows content as a string or an array of {"type": "text", "text": ...} parts.
std::string message_content(const json& content, const std::string& field) {
    if (content.is_null()) return "";
    if (content.is_string()) return content.get<std::string>();
    if (content.is_array()) {
        std::string text;
        for (const json& part : content) {
            // Checked field by field: json::value() throws when "type" is not a string.
            const auto type = part.is_object() ? part.find("type") : part.end();
            const auto text_field = part.is_object() ? part.find("text") : part.end();
            if (!part.is_object() || type == part.end() || !type->is_string() || *type != "text" ||
                text_field == part.end() || !text_field->is_string())
                bad_field(field, "only text content parts are supported");
            text += part["text"].get<std::string>();
        }
        return text;
    }
    bad_field(field, "expected a string or an array of text parts");
}

ChatMessage parse_message(const json& item, size_t index) {
    std::string field = "messages[" + std::to_string(index) + "]";
    if (!item.is_object()) bad_field(field, "expected an object");
    ChatMessage message;
    auto role = item.find("role");
    if (role == item.end() || !role->is_string()) bad_field(field + ".role", "required string");
    message.role = role->get<std::string>();
    if (message.role != "system" && message.role != "user" && message.role != "assistant" &&
        message.role != "tool" && message.role != "developer")
        bad_field(field + ".role", "unknown role '" + message.role + "'");
    if (message.role == "developer") message.role = "system";
    message.content = message_content(item.value("content", json()), field + ".content");
    if (auto name = item.find("name"); name != item.end() && name->is_string())
        message.name = name->get<std::string>();
    if (auto id = item.find("tool_call_id"); id != item.end() && id->is_string())
        message.tool_call_id = id->get<std::string>();
    return message;
}

}  // namespace

json error_body(const std::string& message, const std::string& type) {
    return {{"error", {{"message", message}, {"type", type}}}};
}

// The dual KV cache fields of /v1/infill and diffusion chat completions.
static void check_kv_fields(const std::string& kv_cache, int64_t kv_refresh) {
    if (kv_cache != "dual" && kv_cache != "none") bad_field("kv_cache", "must be \"dual\" or \"none\"");
    if (kv_refresh < 1) bad_field("kv_refresh", "must be at least 1");
}

ChatCompletionRequest parse_chat_completion_request(const json& body) {
    if (!body.is_object()) throw HttpError(400, "invalid_request_error", "body must be a JSON object");
    ChatCompletionRequest request;
    request.model = optional_string(body, "model").value_or("");
    auto messages = body.find("messages");
    if (messages == body.end()) bad_field("messages", "required");
    if (!messages->is_array()) bad_field("messages", "expected an array");
    if (messages->empty()) bad_field("messages", "must not be empty");
    for (size_t i = 0; i < messages->size(); ++i) request.messages.push_back(parse_message((*messages)[i], i));
    request.temperature = optional_number(body, "temperature");
    request.top_p = optional_number(body, "top_p");
    request.top_k = optional_integer(body, "top_k");
    request.max_tokens = optional_integer(body, "max_tokens");
    if (!request.max_tokens) request.max_tokens = optional_integer(body, "max_completion_tokens");
    request.seed = optional_integer(body, "seed");
    request.n = optional_integer(body, "n").value_or(1);
    request.steps = optional_integer(body, "steps");
    request.block_length = optional_integer(body, "block_length");
    request.sampler = optional_string(body, "sampler");
    request.kv_cache = optional_string(body, "kv_cache");
    request.kv_refresh = optional_integer(body, "kv_refresh");
    check_kv_fields(request.kv_cache.value_or("dual"), request.kv_refresh.value_or(1));
    if (auto stop = body.find("stop"); stop != body.end() && !stop->is_null()) {
        if (stop->is_string()) {
            request.stop.push_back(stop->get<std::string>());
        } else if (stop->is_array()) {
            for (const json& s : *stop) {
                if (!s.is_string()) bad_field("stop", "expected strings");
                request.stop.push_back(s.get<std::string>());
            }
        } else {
            bad_field("stop", "expected a string or an array of strings");
        }
    }
    if (request.temperature && (*request.temperature < 0 || *request.temperature > 2))
        bad_field("temperature", "must be between 0 and 2");
    if (request.top_p && (*request.top_p <= 0 || *request.top_p > 1)) bad_field("top_p", "must be in (0, 1]");
    if (request.max_tokens && *request.max_tokens < 1) bad_field("max_tokens", "must be at least 1");
    if (request.n < 1 || request.n > 16) bad_field("n", "must be between 1 and 16");
    if (request.steps && *request.steps < 1) bad_field("steps", "must be at least 1");
    if (body.contains("stream") && body["stream"].is_boolean() && body["stream"].get<bool>())
        bad_field("stream", "streaming is not supported");
    return request;
}

json to_json(const ChatCompletionRequest& request) {
    json messages = json::array();
    for (const auto& m : request.messages) messages.push_back({{"role", m.role}, {"content", m.content}});
    json body = {{"model", request.model}, {"messages", messages}, {"n", request.n}};
    if (request.temperature) body["temperature"] = *request.temperature;
    if (request.top_p) body["top_p"] = *request.top_p;
    if (request.top_k) body["top_k"] = *request.top_k;
    if (request.max_tokens) body["max_tokens"] = *request.max_tokens;
    if (request.seed) body["seed"] = *request.seed;
    if (!request.stop.empty()) body["stop"] = request.stop;
    if (request.steps) body["steps"] = *request.steps;
    if (request.block_length) body["block_length"] = *request.block_length;
    if (request.sampler) body["sampler"] = *request.sampler;
    if (request.kv_cache) body["kv_cache"] = *request.kv_cache;
    if (request.kv_refresh) body["kv_refresh"] = *request.kv_refresh;
    return body;
}

InfillHttpRequest parse_infill_request(const json& body) {
    if (!body.is_object()) throw HttpError(400, "invalid_request_error", "body must be a JSON object");
    InfillHttpRequest request;
    auto text = body.find("text");
    if (text == body.end()) bad_field("text", "required");
    if (!text->is_string()) bad_field("text", "expected a string");
    request.text = text->get<std::string>();
    request.context = optional_string(body, "context").value_or("");
    request.steps = optional_integer(body, "steps").value_or(request.steps);
    request.sampler = optional_string(body, "sampler").value_or(request.sampler);
    request.temperature = optional_number(body, "temperature").value_or(request.temperature);
    request.seed = optional_integer(body, "seed");
    request.candidates = optional_integer(body, "candidates").value_or(request.candidates);
    request.slack = optional_integer(body, "slack").value_or(request.slack);
    request.threshold = optional_number(body, "threshold").value_or(request.threshold);
    request.block_length = optional_integer(body, "block_length").value_or(request.block_length);
    request.kv_cache = optional_string(body, "kv_cache").value_or(request.kv_cache);
    request.kv_refresh = optional_integer(body, "kv_refresh").value_or(request.kv_refresh);
    check_kv_fields(request.kv_cache, request.kv_refresh);
    if (request.steps < 1) bad_field("steps", "must be at least 1");
    if (request.candidates < 1 || request.candidates > 64) bad_field("candidates", "must be between 1 and 64");
    if (request.slack < 0) bad_field("slack", "must not be negative");
    if (request.temperature < 0) bad_field("temperature", "must not be negative");
    if (request.block_length < 0) bad_field("block_length", "must not be negative");
    return request;
}

json to_json(const InfillHttpRequest& request) {
    json body = {{"text", request.text},          {"context", request.context},
                 {"steps", request.steps},        {"sampler", request.sampler},
                 {"temperature", request.temperature}, {"candidates", request.candidates},
                 {"slack", request.slack},        {"threshold", request.threshold},
                 {"block_length", request.block_length}, {"kv_cache", request.kv_cache},
                 {"kv_refresh", request.kv_refresh}};
    if (request.seed) body["seed"] = *request.seed;
    return body;
}

json to_json(const InfillHttpResponse& response) {
    json candidates = json::array();
    for (const auto& c : response.candidates) {
        json spans = json::array();
        for (const auto& s : c.spans) spans.push_back({{"start", s.start}, {"end", s.end}, {"filled", s.filled}});
        candidates.push_back({{"text", c.text}, {"spans", spans}});
    }
    return {{"candidates", candidates},
            {"usage", {{"forward_passes", response.forward_passes}, {"tokens", response.tokens}}}};
}

InfillHttpResponse parse_infill_response(const json& body) {
    auto fail = [](const std::string& what) { throw std::runtime_error("infill reply: " + what); };
    if (!body.is_object() || !body.contains("candidates") || !body["candidates"].is_array())
        fail("missing 'candidates' array");
    InfillHttpResponse response;
    for (const json& c : body["candidates"]) {
        if (!c.is_object() || !c.contains("text") || !c["text"].is_string()) fail("candidate without 'text'");
        InfillHttpCandidate candidate;
        candidate.text = c["text"].get<std::string>();
        if (c.contains("spans") && c["spans"].is_array()) {
            for (const json& s : c["spans"]) {
                if (!s.is_object() || !s.contains("start") || !s.contains("end") || !s["start"].is_number_integer() ||
                    !s["end"].is_number_integer())
                    fail("span without integer 'start'/'end'");
                candidate.spans.push_back(
                    {s["start"].get<int64_t>(), s["end"].get<int64_t>(), s.value("filled", std::string())});
            }
        }
        response.candidates.push_back(std::move(candidate));
    }
    if (body.contains("usage") && body["usage"].is_object()) {
        response.forward_passes = body["usage"].value("forward_passes", int64_t{0});
        response.tokens = body["usage"].value("tokens", int64_t{0});
    }
    return response;
}

}  // namespace remask::api
