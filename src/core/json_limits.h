#pragma once
// JSON from outside (HTTP bodies and replies, model headers, tokenizer.json, datasets)
// parsed with bounds, so a hostile document cannot exhaust the stack or memory later:
// nlohmann's parser is iterative, but copying, dumping and comparing a value recurse.
//
//   nlohmann::json body = parse_json_limited(text, {.max_depth = 64, .max_values = 65536});
//   throw InputError(where, "bad value " + json_excerpt(body["x"]));

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace remask {

struct JsonLimits {
    int max_depth = 256;       // nested arrays/objects
    int64_t max_values = 0;    // values of any kind in the document; 0 = no limit
};

// Thrown when a document exceeds its limits; what() says which, with the limit.
class JsonLimitError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Throws nlohmann::json::parse_error for malformed text (a number too large for a double
// included), JsonLimitError past the limits.
nlohmann::json parse_json_limited(std::string_view text, const JsonLimits& limits = {});

// At most max_chars of the value's JSON text (invalid UTF-8 replaced), "…" when cut: for
// error messages that quote outside input.
std::string json_excerpt(const nlohmann::json& value, size_t max_chars = 60);

// Short form of a parse error for a client: nlohmann's message quotes the whole last token,
// which can be megabytes long.
std::string parse_error_summary(const nlohmann::json::parse_error& error);

}  // namespace remask
