#include "tasks/text_metrics.h"

#include <cmath>
#include <cstdio>
#include <regex>

#include "tasks/dataset_files.h"

namespace remask {
namespace {

std::string in_quotes(const std::string& text, size_t limit = 80) {
    if (text.size() <= limit) return "\"" + text + "\"";
    return "\"" + text.substr(0, limit) + "…\"";
}

std::string lower(std::string text) {
    for (auto& c : text)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return text;
}

Scored empty_reply(const std::string& expected) {
    Scored s;
    s.parse_failed = true;
    s.feedback = "Unparseable: expected " + in_quotes(expected) + " but the reply was empty; counted as wrong.";
    return s;
}

std::string format_number(double x) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.15g", x);
    return buffer;
}

const std::regex& number_pattern() {
    static const std::regex pattern(
        R"([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\.\d+(?:[eE][-+]?\d+)?)");
    return pattern;
}

double to_double(std::string digits) {
    std::string plain;
    for (char c : digits)
        if (c != ',') plain.push_back(c);
    return std::stod(plain);
}

}  // namespace

std::string normalize_for_exact(const std::string& text) {
    std::string out;
    bool space = false;
    for (char c : trim(text)) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            space = true;
            continue;
        }
        if (space) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return lower(out);
}

Scored score_exact(const std::string& expected, const std::string& reply) {
    if (trim(reply).empty()) return empty_reply(expected);
    Scored s;
    s.parsed = trim(reply);
    s.score = normalize_for_exact(reply) == normalize_for_exact(expected) ? 1.0 : 0.0;
    s.feedback = s.score == 1.0 ? "Correct: the reply equals the expected answer " + in_quotes(expected) + "."
                                : "Wrong: expected exactly " + in_quotes(expected) + " but the reply was " +
                                      in_quotes(s.parsed) + ".";
    return s;
}

Scored score_contains(const std::string& expected, const std::string& reply) {
    if (trim(reply).empty()) return empty_reply(expected);
    Scored s;
    s.parsed = trim(reply);
    s.score = lower(reply).find(lower(expected)) != std::string::npos ? 1.0 : 0.0;
    s.feedback = s.score == 1.0 ? "Correct: the reply contains " + in_quotes(expected) + "."
                                : "Wrong: the reply does not contain " + in_quotes(expected) + ".";
    return s;
}

Scored score_regex(const std::string& pattern, const std::string& reply) {
    if (trim(reply).empty()) return empty_reply(pattern);
    Scored s;
    std::smatch match;
    if (std::regex_search(reply, match, std::regex(pattern, std::regex::ECMAScript))) {
        s.score = 1.0;
        s.parsed = match.str();
        s.feedback = "Correct: the reply matches /" + pattern + "/ at " + in_quotes(s.parsed) + ".";
    } else {
        s.parsed = trim(reply);
        s.feedback = "Wrong: the reply does not match /" + pattern + "/.";
    }
    return s;
}

std::optional<double> last_number(const std::string& text) {
    std::optional<double> last;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), number_pattern());
         it != std::sregex_iterator(); ++it)
        last = to_double(it->str());
    return last;
}

std::optional<double> parse_number(const std::string& text) {
    const std::string t = trim(text);
    std::smatch m;
    if (!std::regex_match(t, m, number_pattern())) return std::nullopt;
    return to_double(t);
}

Scored score_numeric(double expected, double tolerance, const std::string& reply) {
    const std::string wanted = format_number(expected);
    if (trim(reply).empty()) return empty_reply(wanted);
    Scored s;
    const auto value = last_number(reply);
    if (!value) {
        s.parse_failed = true;
        s.feedback = "Unparseable: expected " + wanted + " but the reply contains no number; counted as wrong.";
        return s;
    }
    s.parsed = format_number(*value);
    s.score = std::fabs(*value - expected) <= tolerance ? 1.0 : 0.0;
    s.feedback = s.score == 1.0
                     ? "Correct: expected " + wanted + " and the reply's last number is " + s.parsed + "."
                     : "Wrong: expected " + wanted + " (±" + format_number(tolerance) +
                           ") but the reply's last number is " + s.parsed + ".";
    return s;
}

}  // namespace remask
