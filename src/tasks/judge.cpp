#include "tasks/judge.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <regex>

#include "tasks/dataset_files.h"

namespace remask {
namespace {

std::optional<double> normalize_score(double value, std::optional<double> out_of) {
    if (out_of) {
        if (*out_of <= 0 || value < 0 || value > *out_of) return std::nullopt;
        return value / *out_of;
    }
    if (value < 0) return std::nullopt;
    if (value <= 1) return value;
    if (value <= 10) return value / 10;
    if (value <= 100) return value / 100;
    return std::nullopt;
}

std::optional<double> number_of(const nlohmann::json& value) {
    if (value.is_number()) return value.get<double>();
    if (!value.is_string()) return std::nullopt;
    try {
        size_t used = 0;
        const std::string text = trim(value.get<std::string>());
        const double x = std::stod(text, &used);
        if (used == text.size()) return x;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

// Rule 1: a JSON object somewhere in the reply (code fences and prose around it allowed).
std::optional<JudgeVerdict> from_json(const std::string& reply) {
    for (size_t open = reply.find('{'); open != std::string::npos; open = reply.find('{', open + 1)) {
        for (size_t close = reply.rfind('}'); close != std::string::npos && close > open;
             close = close == 0 ? std::string::npos : reply.rfind('}', close - 1)) {
            const auto doc = nlohmann::json::parse(reply.substr(open, close - open + 1), nullptr, false);
            if (doc.is_discarded() || !doc.is_object()) continue;
            if (!doc.contains("score")) break;
            const auto raw = number_of(doc["score"]);
            const auto score = raw ? normalize_score(*raw, std::nullopt) : std::nullopt;
            JudgeVerdict v;
            if (!score) return v;  // a score we cannot read: unreadable, not "try prose"
            v.readable = true;
            v.score = *score;
            for (const char* key : {"critique", "feedback", "reason", "explanation"})
                if (doc.contains(key) && doc[key].is_string()) {
                    v.critique = trim(doc[key].get<std::string>());
                    break;
                }
            return v;
        }
    }
    return std::nullopt;
}

}  // namespace

JudgeVerdict parse_judge_reply(const std::string& reply) {
    if (auto v = from_json(reply)) return *v;
    JudgeVerdict v;
    static const std::regex score_line(
        R"(score\W{0,4}\s*[:=]\s*\**\s*([0-9]*\.?[0-9]+)\s*(?:(?:/|out of)\s*([0-9]*\.?[0-9]+))?)",
        std::regex::icase);
    std::smatch m;
    if (!std::regex_search(reply, m, score_line)) return v;
    std::optional<double> out_of;
    if (m[2].matched) out_of = std::stod(m[2].str());
    const auto score = normalize_score(std::stod(m[1].str()), out_of);
    if (!score) return v;
    v.readable = true;
    v.score = *score;
    static const std::regex critique_label(R"(critique\W{0,4}\s*:\s*)", std::regex::icase);
    std::smatch c;
    v.critique = std::regex_search(reply, c, critique_label) ? trim(c.suffix().str()) : trim(reply);
    return v;
}

std::vector<ChatMessage> judge_messages(const std::string& rubric, const std::string& input,
                                        const std::string& reference, const std::string& answer) {
    const std::string system =
        "You grade an AI assistant's answer against a rubric. Reply with only a JSON object "
        "{\"score\": s, \"critique\": \"...\"}, where s is a number from 0 (fails the rubric) "
        "to 1 (fully meets it) and the critique says in one or two sentences what is wrong or "
        "missing (or why it is right).";
    std::string user = "Rubric:\n" + rubric + "\n\nQuestion:\n" + input + "\n\n";
    if (!reference.empty()) user += "Reference answer:\n" + reference + "\n\n";
    user += "Answer to grade:\n" + answer;
    return {ChatMessage::of("system", system), ChatMessage::of("user", user)};
}

}  // namespace remask
