#include "llm/chat_json.h"

#include "llm/sha256.h"

namespace remask {

using nlohmann::json;

json message_to_json(const ChatMessage& message) {
    json out = {{"role", message.role}};
    // An assistant turn that only calls tools has null content in the OpenAI schema.
    if (message.content.empty() && !message.tool_calls.empty())
        out["content"] = nullptr;
    else
        out["content"] = message.content;
    if (!message.tool_calls.empty()) {
        json calls = json::array();
        for (const auto& call : message.tool_calls)
            calls.push_back({{"id", call.id},
                             {"type", "function"},
                             {"function", {{"name", call.name}, {"arguments", call.arguments}}}});
        out["tool_calls"] = std::move(calls);
    }
    if (!message.tool_call_id.empty()) out["tool_call_id"] = message.tool_call_id;
    if (!message.name.empty()) out["name"] = message.name;
    return out;
}

json chat_request_body(const ChatRequest& request, const EndpointSettings& settings) {
    json messages = json::array();
    for (const auto& message : request.messages) messages.push_back(message_to_json(message));
    json body = {{"model", settings.model}, {"messages", std::move(messages)}};
    body["temperature"] = request.temperature.value_or(settings.temperature);
    if (request.top_p) body["top_p"] = *request.top_p;
    int64_t max_tokens = request.max_tokens.value_or(settings.max_tokens);
    if (max_tokens > 0) body["max_tokens"] = max_tokens;
    if (request.seed) body["seed"] = *request.seed;
    if (!request.stop.empty()) body["stop"] = request.stop;
    if (!request.tools.is_null() && !request.tools.empty()) body["tools"] = request.tools;
    if (!request.tool_choice.is_null()) body["tool_choice"] = request.tool_choice;
    return body;
}

std::string cache_key(const std::string& base_url, const json& body, int sample_index) {
    json canonical = {{"base_url", base_url}, {"body", body}, {"sample_index", sample_index}};
    return sha256_hex(canonical.dump());
}

namespace {

// Content is a string, null, or (some servers) an array of {"type": "text", "text": ...}.
std::optional<std::string> content_text(const json& content) {
    if (content.is_null()) return std::string();
    if (content.is_string()) return content.get<std::string>();
    if (!content.is_array()) return std::nullopt;
    std::string text;
    for (const auto& part : content) {
        if (part.is_object() && part.contains("text") && part["text"].is_string())
            text += part["text"].get<std::string>();
    }
    return text;
}

int64_t count_field(const json& usage, const char* name) {
    auto it = usage.find(name);
    return (it != usage.end() && it->is_number_integer()) ? it->get<int64_t>() : -1;
}

ReplyParse parse_reply_document(const json& doc) {
    ReplyParse result;
    if (!doc.is_object() || !doc.contains("choices") || !doc["choices"].is_array() ||
        doc["choices"].empty() || !doc["choices"][0].is_object()) {
        result.problem = "reply has no choices[0]";
        return result;
    }
    const json& choice = doc["choices"][0];
    auto message_it = choice.find("message");
    if (message_it == choice.end() || !message_it->is_object()) {
        result.problem = "reply has no choices[0].message";
        return result;
    }
    const json& message = *message_it;
    // A field of the wrong type is an unusable reply, never an exception (fuzz/openai_reply).
    auto is_text_or_absent = [](const json& object, const char* key) {
        return !object.contains(key) || object[key].is_string();
    };
    if (!is_text_or_absent(message, "role")) {
        result.problem = "choices[0].message.role is not a string";
        return result;
    }
    ChatResponse response;
    response.message.role = message.value("role", std::string("assistant"));
    auto content = content_text(message.contains("content") ? message["content"] : json());
    if (!content) {
        result.problem = "choices[0].message.content is neither text nor null";
        return result;
    }
    response.message.content = *content;
    if (message.contains("tool_calls") && !message["tool_calls"].is_null()) {
        const json& calls = message["tool_calls"];
        if (!calls.is_array()) {
            result.problem = "choices[0].message.tool_calls is not an array";
            return result;
        }
        for (const auto& call : calls) {
            if (!call.is_object() || !call.contains("function") || !call["function"].is_object()) {
                result.problem = "a tool call has no function";
                return result;
            }
            const json& function = call["function"];
            if (!is_text_or_absent(call, "id") || !is_text_or_absent(function, "name")) {
                result.problem = "a tool call's id or name is not a string";
                return result;
            }
            ToolCall tool_call;
            tool_call.id = call.value("id", std::string());
            tool_call.name = function.value("name", std::string());
            // Arguments are JSON text; a few servers send an object instead.
            if (function.contains("arguments"))
                tool_call.arguments = function["arguments"].is_string()
                                          ? function["arguments"].get<std::string>()
                                          : function["arguments"].dump();
            response.message.tool_calls.push_back(std::move(tool_call));
        }
    }
    if (choice.contains("finish_reason") && choice["finish_reason"].is_string())
        response.finish_reason = choice["finish_reason"].get<std::string>();
    if (doc.contains("usage") && doc["usage"].is_object()) {
        int64_t prompt = count_field(doc["usage"], "prompt_tokens");
        int64_t completion = count_field(doc["usage"], "completion_tokens");
        if (prompt >= 0 && completion >= 0) {
            response.usage = {prompt, completion};
            result.usage_reported = true;
        }
    }
    result.response = std::move(response);
    return result;
}

}  // namespace

ReplyParse parse_chat_reply(const std::string& body) {
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        ReplyParse result;
        result.problem = "reply is not valid JSON (" + std::to_string(body.size()) + " bytes)";
        return result;
    }
    return parse_reply_document(doc);
}

std::string server_error_message(const std::string& body) {
    json doc = json::parse(body, nullptr, false);
    if (!doc.is_discarded() && doc.is_object()) {
        auto error = doc.find("error");
        if (error != doc.end()) {
            if (error->is_string()) return error->get<std::string>();
            if (error->is_object() && error->contains("message") && (*error)["message"].is_string())
                return (*error)["message"].get<std::string>();
        }
        if (doc.contains("message") && doc["message"].is_string())
            return doc["message"].get<std::string>();
        if (doc.contains("detail") && doc["detail"].is_string())
            return doc["detail"].get<std::string>();
    }
    std::string text = body.substr(0, 200);
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    return text.empty() ? "(empty body)" : text;
}

json response_to_json(const ChatResponse& response) {
    return {{"message", message_to_json(response.message)},
            {"finish_reason", response.finish_reason},
            {"usage",
             {{"prompt_tokens", response.usage.prompt_tokens},
              {"completion_tokens", response.usage.completion_tokens}}}};
}

ChatResponse response_from_json(const json& doc) {
    // Stored by response_to_json, so the shape is the same as a reply's choice.
    json reply = {{"choices", json::array({{{"message", doc.at("message")},
                                             {"finish_reason", doc.value("finish_reason", "")}}})},
                  {"usage", doc.value("usage", json::object())}};
    ReplyParse parsed = parse_reply_document(reply);
    if (!parsed.response) throw std::runtime_error("cached answer is unreadable: " + parsed.problem);
    return *parsed.response;
}

int64_t estimate_tokens(const std::string& text) { return static_cast<int64_t>(text.size() / 4 + 1); }

}  // namespace remask
