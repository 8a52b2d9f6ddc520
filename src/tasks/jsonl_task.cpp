#include "tasks/jsonl_task.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <cctype>
#include <regex>
#include <set>

#include "core/error.h"
#include "core/json_limits.h"
#include "core/log.h"
#include "tasks/dataset_files.h"
#include "tasks/judge.h"
#include "tasks/text_metrics.h"

namespace remask {
namespace {

struct Record {
    size_t line;
    Example example;
    bool has_split;
};

std::string scalar_text(const nlohmann::json& value) {
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}

bool is_scorer_metric(JsonlMetric metric) {
    return metric == JsonlMetric::webhook || metric == JsonlMetric::exec;
}

// "[user] ... / [assistant] ... / [user] ...", each turn cut to a readable length.
std::string compact_conversation(const nlohmann::json& messages) {
    std::string out;
    for (const auto& m : messages) {
        std::string text = m["content"].get<std::string>();
        for (char& c : text)
            if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        if (text.size() > 160) text = text.substr(0, 157) + "...";
        out += (out.empty() ? "" : " / ") + ("[" + m["role"].get<std::string>() + "] ") + text;
    }
    return out;
}

void read_messages(const std::string& where, const nlohmann::json& messages, Example& example) {
    if (!messages.is_array() || messages.empty())
        throw InputError(where, "field \"messages\" must be a non-empty array of {\"role\", \"content\"}");
    for (size_t i = 0; i < messages.size(); ++i) {
        const auto& m = messages[i];
        const std::string at = "messages[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["content"].is_string())
            throw InputError(where, at + " must be an object with \"role\" and string \"content\"");
        if (m["role"] != "user" && m["role"] != "assistant")
            throw InputError(where, at + ": role must be \"user\" or \"assistant\" (the system prompt is the one being optimized)");
    }
    if (messages.back()["role"] != "user")
        throw InputError(where, "the last of \"messages\" must be a user turn (the one the target answers)");
    example.messages = nlohmann::json::array();
    for (const auto& m : messages) example.messages.push_back({{"role", m["role"]}, {"content", m["content"]}});
    example.input = compact_conversation(example.messages);
}

Record read_record(const std::string& path, const NumberedLine& line, JsonlMetric metric) {
    const std::string where = file_line(path, line.number);
    nlohmann::json doc;
    try {
        doc = parse_json_limited(line.text, {.max_depth = 64});
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(where, "not valid JSON (" + parse_error_summary(e) + ")");
    } catch (const JsonLimitError& e) {
        throw InputError(where, std::string("the line ") + e.what());
    }
    if (!doc.is_object()) throw InputError(where, "expected a JSON object {\"input\": ..., \"expected\": ...}");
    const bool multi_turn = doc.contains("messages");
    if (multi_turn && doc.contains("input"))
        throw InputError(where, "give either \"input\" or \"messages\", not both");
    if (!multi_turn && !doc.contains("input")) throw InputError(where, "missing field \"input\" (or \"messages\")");
    if (!doc.contains("expected") && !is_scorer_metric(metric))
        throw InputError(where, "missing field \"expected\" (optional only for metric webhook or exec)");
    if (!multi_turn && !doc["input"].is_string()) throw InputError(where, "field \"input\" must be a string");
    if (doc.contains("expected") && !doc["expected"].is_string() && !doc["expected"].is_number())
        throw InputError(where, "field \"expected\" must be a string or a number");

    Record r{line.number, {}, doc.contains("split")};
    if (multi_turn) {
        read_messages(where, doc["messages"], r.example);
    } else {
        r.example.input = doc["input"].get<std::string>();
    }
    r.example.has_expected = doc.contains("expected");
    if (r.example.has_expected) r.example.expected = scalar_text(doc["expected"]);
    if (r.has_split) {
        const auto& split = doc["split"];
        if (!split.is_string() || (split != "train" && split != "dev" && split != "test"))
            throw InputError(where, "field \"split\" must be \"train\", \"dev\" or \"test\", not " + json_excerpt(split));
        r.example.split = split.get<std::string>();
    }
    if (doc.contains("id")) {
        if (!doc["id"].is_string() && !doc["id"].is_number_integer())
            throw InputError(where, "field \"id\" must be a string or an integer");
        r.example.id = scalar_text(doc["id"]);
    }
    for (auto it = doc.begin(); it != doc.end(); ++it)
        if (it.key() != "input" && it.key() != "messages" && it.key() != "expected" && it.key() != "id" &&
            it.key() != "split")
            r.example.extra[it.key()] = it.value();
    return r;
}

constexpr size_t kMaxRegexBytes = 4096;

// Checks what the metric needs of `expected` (and of a line's own tolerance).
void check_for_metric(const std::string& path, const Record& r, JsonlMetric metric,
                      const std::vector<std::string>& label_set) {
    const std::string where = file_line(path, r.line);
    const Example& e = r.example;
    switch (metric) {
        case JsonlMetric::regex:
            // libstdc++'s compiler overflows a signed integer on a long back-reference number
            // and recurses per alternative (found by fuzz/jsonl_dataset): bound both first.
            if (e.expected.size() > kMaxRegexBytes)
                throw InputError(where, "\"expected\" is a regular expression longer than " +
                                            std::to_string(kMaxRegexBytes) + " bytes");
            for (size_t i = 0; i + 1 < e.expected.size(); ++i) {
                if (e.expected[i] != '\\') continue;
                size_t digits = 0;
                while (i + 1 + digits < e.expected.size() && std::isdigit(static_cast<unsigned char>(e.expected[i + 1 + digits])))
                    ++digits;
                if (digits > 3)
                    throw InputError(where, "\"expected\" is not a valid regular expression (a back-reference "
                                            "number of more than 3 digits)");
                ++i;  // an escaped character, `\\` included, is consumed whole
            }
            try {
                std::regex check(e.expected, std::regex::ECMAScript);
            } catch (const std::regex_error& error) {
                throw InputError(where, "\"expected\" is not a valid regular expression (" +
                                            std::string(error.what()) + ")");
            }
            break;
        case JsonlMetric::numeric:
            if (!parse_number(e.expected))
                throw InputError(where, "\"expected\" is not a number: \"" + e.expected + "\"");
            if (e.extra.contains("tolerance") &&
                (!e.extra["tolerance"].is_number() || e.extra["tolerance"].get<double>() < 0))
                throw InputError(where, "field \"tolerance\" must be a non-negative number");
            break;
        case JsonlMetric::labels:
            if (LabelParser::words(e.expected).empty())
                throw InputError(where, "the label \"" + e.expected + "\" has no letter or digit");
            if (!label_set.empty() &&
                std::find(label_set.begin(), label_set.end(), e.expected) == label_set.end()) {
                std::string list;
                for (const auto& l : label_set) list += (list.empty() ? "" : ", ") + l;
                throw InputError(where, "unknown label \"" + e.expected + "\" (the labels are " + list + ")");
            }
            break;
        default:
            break;
    }
}

}  // namespace

JsonlMetric parse_jsonl_metric(const std::string& name) {
    if (name == "exact") return JsonlMetric::exact;
    if (name == "contains") return JsonlMetric::contains;
    if (name == "regex") return JsonlMetric::regex;
    if (name == "labels") return JsonlMetric::labels;
    if (name == "numeric") return JsonlMetric::numeric;
    if (name == "judge") return JsonlMetric::judge;
    if (name == "webhook") return JsonlMetric::webhook;
    if (name == "exec") return JsonlMetric::exec;
    throw InputError("metric '" + name + "'",
                     "unknown: use exact, contains, regex, labels, numeric, judge, webhook or exec");
}

JsonlTask::JsonlTask(const std::string& path, JsonlMetric metric, JsonlOptions options,
                     LanguageModel* judge)
    : path_(path), metric_(metric), options_(std::move(options)), judge_(judge) {
    if (metric_ == JsonlMetric::judge && judge_ == nullptr)
        throw UsageError("metric judge", "needs a judge model ([judge] table, or the target)");
    if (metric_ == JsonlMetric::judge && trim(options_.rubric).empty())
        throw UsageError("metric judge", "needs a rubric ([task] rubric)");
    if (is_scorer_metric(metric_) && !options_.scorer)
        throw UsageError(metric_ == JsonlMetric::webhook ? "metric webhook" : "metric exec",
                         "needs a scorer ([scorer] table)");
    if (metric_ == JsonlMetric::labels)
        for (const auto& label : options_.labels)
            if (LabelParser::words(label).empty())
                throw UsageError("labels", "the label \"" + label + "\" has no letter or digit");

    std::vector<Record> records;
    for (const auto& line : read_numbered_lines(path_)) {
        if (trim(line.text).empty()) continue;
        records.push_back(read_record(path_, line, metric_));
        check_for_metric(path_, records.back(), metric_, options_.labels);
    }
    if (records.empty()) throw InputError(path_, "no examples (the file has no JSON lines)");

    const bool any_split = std::any_of(records.begin(), records.end(), [](const Record& r) { return r.has_split; });
    if (any_split)
        for (const auto& r : records)
            if (!r.has_split)
                throw InputError(file_line(path_, r.line),
                                 "missing field \"split\" (other lines have one, so every line needs it)");
    // Without split fields there is nothing held out: a test score over examples the
    // optimizer chose by would be contaminated, so there is no test split.
    has_split_fields_ = any_split;
    if (!any_split)
        log_warn(path_, " has no \"split\" fields: train and dev each use all ", records.size(),
                 " examples and there is no test split");

    std::set<std::string> ids;
    std::map<std::string, size_t> rows_per_split;
    for (auto& r : records) {
        Example& e = r.example;
        const std::string group = any_split ? e.split : "all";
        if (e.id.empty()) e.id = group + "-" + std::to_string(rows_per_split[group]);
        rows_per_split[group] += 1;
        if (!ids.insert(e.id).second)
            throw InputError(file_line(path_, r.line), "duplicate id \"" + e.id + "\"");
        if (metric_ == JsonlMetric::labels &&
            std::find(labels_.begin(), labels_.end(), e.expected) == labels_.end())
            labels_.push_back(e.expected);
    }
    if (metric_ == JsonlMetric::labels) {
        if (!options_.labels.empty()) labels_ = options_.labels;
        parser_ = std::make_unique<LabelParser>(labels_);
    }
    for (const std::string split : {"train", "dev", "test"}) {
        splits_.set_source(split, path_);
        for (const auto& r : records) {
            if (any_split ? r.example.split != split : split == "test") continue;
            Example e = r.example;
            e.split = split;
            splits_.add(split, std::move(e));
        }
    }
}

const std::vector<Example>& JsonlTask::split(const std::string& name) const {
    if (name == "test" && !has_split_fields_)
        throw InputError(path_, "has no \"split\" fields, so no held-out test split (give lines \"split\": "
                                "\"train\", \"dev\" or \"test\")");
    return splits_.get(name, "jsonl");
}

int64_t JsonlTask::typical_reply_tokens() const {
    return metric_ == JsonlMetric::labels ? 4 : 64;
}

Scored JsonlTask::score(const Example& example, const std::string& reply) const {
    switch (metric_) {
        case JsonlMetric::exact: return score_exact(example.expected, reply);
        case JsonlMetric::contains: return score_contains(example.expected, reply);
        case JsonlMetric::regex: return score_regex(example.expected, reply);
        case JsonlMetric::labels: return score_label_reply(*parser_, example.expected, reply);
        case JsonlMetric::numeric: {
            const double tolerance = example.extra.contains("tolerance")
                                         ? example.extra["tolerance"].get<double>()
                                         : options_.tolerance;
            return score_numeric(*parse_number(example.expected), tolerance, reply);
        }
        case JsonlMetric::judge: return score_judge(example, reply);
        case JsonlMetric::webhook:
        case JsonlMetric::exec: return options_.scorer->score("", example, reply);
    }
    return {};
}

std::vector<ChatMessage> JsonlTask::messages(const std::string& system_prompt, const Example& example) const {
    if (!example.messages.is_array()) return SingleTurnTask::messages(system_prompt, example);
    std::vector<ChatMessage> out;
    if (!system_prompt.empty()) out.push_back(ChatMessage::of("system", system_prompt));
    for (const auto& m : example.messages)
        out.push_back(ChatMessage::of(m["role"].get<std::string>(), m["content"].get<std::string>()));
    return out;
}

Attempt JsonlTask::attempt(const std::string& system_prompt, const Example& example, LanguageModel& target) const {
    if (!is_scorer_metric(metric_)) return SingleTurnTask::attempt(system_prompt, example, target);
    // The scorer also sees the system prompt (its request's context.prompt).
    Attempt a = ask(system_prompt, example, target);
    a.scored = options_.scorer->score(system_prompt, example, a.reply);
    return a;
}

Scored JsonlTask::score_judge(const Example& example, const std::string& reply) const {
    Scored s;
    if (trim(reply).empty()) {
        s.parse_failed = true;
        s.feedback = "Unparseable: the reply was empty; counted as wrong.";
        return s;
    }
    ChatRequest request;
    request.messages = judge_messages(options_.rubric, example.input, example.expected, reply);
    request.temperature = 0.0;
    const ChatResponse response = judge_->chat(request);
    if (!response.cached) {
        s.judge_calls = 1;
        s.judge_usage = response.usage;
    }
    const JudgeVerdict verdict = parse_judge_reply(response.message.content);
    if (!verdict.readable) {
        s.parse_failed = true;
        std::string snippet = trim(response.message.content).substr(0, 120);
        s.feedback = "Unscored: the judge's reply could not be read as a score (\"" + snippet +
                     "\"); counted as 0.";
        return s;
    }
    s.score = verdict.score;
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", verdict.score);
    s.parsed = buffer;
    s.feedback = "Judge score " + s.parsed + (verdict.critique.empty() ? "." : ": " + verdict.critique);
    return s;
}

}  // namespace remask
