#include "core/json_limits.h"

namespace remask {

nlohmann::json parse_json_limited(std::string_view text, const JsonLimits& limits) {
    int64_t values = 0;
    auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        using Event = nlohmann::json::parse_event_t;
        if (depth > limits.max_depth)
            throw JsonLimitError("nests deeper than " + std::to_string(limits.max_depth) + " levels");
        if (event == Event::value || event == Event::object_start || event == Event::array_start) {
            if (limits.max_values > 0 && ++values > limits.max_values)
                throw JsonLimitError("holds more than " + std::to_string(limits.max_values) + " values");
        }
        return true;
    };
    try {
        return nlohmann::json::parse(text.begin(), text.end(), check);
    } catch (const nlohmann::json::out_of_range& e) {
        // A number too large for a double (1e309) is malformed input like any other
        // (found by fuzz/infill_request): callers handle parse_error only.
        throw nlohmann::json::parse_error::create(101, 0, e.what(), nullptr);
    }
}

std::string json_excerpt(const nlohmann::json& value, size_t max_chars) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() <= max_chars) return text;
    size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
    return text.substr(0, cut) + "…";
}

std::string parse_error_summary(const nlohmann::json::parse_error& error) {
    std::string what = error.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 7: syntax error while
    // parsing value - invalid literal; last read: '...'": keep it up to the quoted token.
    const size_t quote = what.find("; last read:");
    if (quote != std::string::npos) what.resize(quote);
    const size_t tag = what.find("] ");
    if (tag != std::string::npos) what.erase(0, tag + 2);
    if (what.size() > 200) what.resize(200);
    return what + " (byte " + std::to_string(error.byte) + ")";
}

}  // namespace remask
