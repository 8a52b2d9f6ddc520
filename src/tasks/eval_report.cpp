#include "tasks/eval_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace remask {
namespace {

std::string fixed(double value, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

std::string with_interval(double value, const Interval& ci) {
    return fixed(value, 4) + "  [" + fixed(ci.lo, 4) + ", " + fixed(ci.hi, 4) + "]";
}

std::string padded(const std::string& text, size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

std::string tokens_short(int64_t tokens) {
    if (tokens >= 10'000) return std::to_string((tokens + 500) / 1000) + "k";
    return std::to_string(tokens);
}

std::string usd_text(double usd) {
    std::string text = "$";  // (not "$" + ...: GCC 12 reports a false -Wrestrict there)
    text += fixed(usd, usd < 0.01 ? 4 : usd < 1 ? 3 : 2);
    return text;
}

int64_t text_tokens(const std::string& text) { return static_cast<int64_t>(text.size() + 3) / 4; }

}  // namespace

nlohmann::ordered_json eval_row_json(const EvalRow& row) {
    return {{"id", row.id},
            {"input", row.input},
            {"expected", row.expected},
            {"reply", row.reply},
            {"parsed", row.parse_failed ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(row.parsed)},
            {"score", row.score},
            {"feedback", row.feedback},
            {"tokens_in", row.tokens_in},
            {"tokens_out", row.tokens_out},
            {"cached", row.cached}};
}

nlohmann::ordered_json eval_summary_json(const std::string& task, const std::string& split,
                                 const Metrics& metrics, int64_t calls, double usd) {
    nlohmann::ordered_json out = {{"task", task}, {"split", split}, {"n", metrics.n}};
    if (metrics.classification) {
        out["accuracy"] = metrics.accuracy;
        out["macro_f1"] = metrics.macro_f1;
    }
    out["parse_failures"] = metrics.parse_failures;
    out["mean"] = metrics.mean;
    out["ci95"] = {metrics.mean_ci.lo, metrics.mean_ci.hi};
    out["calls"] = calls;
    out["usd"] = usd;
    return out;
}

std::string eval_table(const std::string& task, const std::string& split, const Metrics& m,
                       const SpendSummary& spend) {
    std::ostringstream out;
    out << task << " " << split << ": " << m.n << " examples\n\n";
    out << padded("metric", 20) << "value   95% interval\n";
    if (m.classification) {
        out << padded("accuracy", 20) << with_interval(m.accuracy, m.accuracy_ci) << "  (Wilson)\n";
        out << padded("macro-F1", 20) << with_interval(m.macro_f1, m.macro_f1_ci) << "  (bootstrap)\n";
    } else {
        out << padded("mean score", 20) << with_interval(m.mean, m.mean_ci)
            << (m.mean_is_proportion ? "  (Wilson)\n" : "  (bootstrap)\n");
    }
    out << padded("parse failures", 20) << with_interval(m.parse_failure_rate, m.parse_failure_ci)
        << "  (" << m.parse_failures << " of " << m.n << ")\n";

    if (m.classification) {
        size_t width = 10;
        for (const auto& label : m.confusion.labels) width = std::max(width, label.size() + 2);
        out << "\nconfusion (rows: expected, columns: answered)\n" << padded("", width);
        for (const auto& label : m.confusion.labels) out << padded(label, width);
        out << "unparsed\n";
        for (size_t r = 0; r < m.confusion.labels.size(); ++r) {
            out << padded(m.confusion.labels[r], width);
            for (size_t c = 0; c < m.confusion.counts[r].size(); ++c)
                out << padded(std::to_string(m.confusion.counts[r][c]), width);
            out << "\n";
        }
    }
    out << "\ntarget calls " << spend.target_calls << " (+" << spend.cache_hits << " from cache), tokens "
        << spend.target_usage.prompt_tokens << " in / " << spend.target_usage.completion_tokens << " out\n";
    if (spend.judge_calls > 0)
        out << "judge calls " << spend.judge_calls << ", tokens " << spend.judge_usage.prompt_tokens << " in / "
            << spend.judge_usage.completion_tokens << " out\n";
    if (spend.scorer_calls > 0 || spend.scorer_cache_hits > 0)
        out << "scorer calls " << spend.scorer_calls << " (+" << spend.scorer_cache_hits << " from cache)\n";
    out << "cost " << usd_text(spend.usd) << "\n";
    return out.str();
}

CostEstimate estimate_cost(const Task& task, const std::string& system_prompt,
                           const std::vector<Example>& examples, const PriceSheet& target,
                           const PriceSheet* judge, const std::string& rubric) {
    constexpr int64_t kPerMessage = 4;  // role markers and separators of a chat template
    constexpr int64_t kJudgeInstructions = 80;
    constexpr int64_t kJudgeReply = 60;
    CostEstimate e;
    const int64_t reply = task.typical_reply_tokens();
    const int64_t reply_max = std::max<int64_t>(reply, target.max_tokens);
    for (const auto& example : examples) {
        e.target_calls += 1;
        e.tokens_in += text_tokens(system_prompt) + text_tokens(example.input) + 2 * kPerMessage;
        e.tokens_out += reply;
        e.tokens_out_max += reply_max;
    }
    e.usd = (e.tokens_in * target.input_per_mtok + e.tokens_out * target.output_per_mtok) / 1e6;
    e.usd_max = (e.tokens_in * target.input_per_mtok + e.tokens_out_max * target.output_per_mtok) / 1e6;
    if (judge) {
        int64_t in = 0;
        for (const auto& example : examples)
            in += kJudgeInstructions + text_tokens(rubric) + text_tokens(example.input) +
                  text_tokens(example.expected) + reply;
        const int64_t out = kJudgeReply * static_cast<int64_t>(examples.size());
        e.judge_calls = static_cast<int64_t>(examples.size());
        const double usd = (in * judge->input_per_mtok + out * judge->output_per_mtok) / 1e6;
        e.usd += usd;
        e.usd_max += usd;
    }
    return e;
}

std::string describe_estimate(const CostEstimate& e, size_t examples) {
    std::ostringstream out;
    out << "eval: " << examples << " examples -> at most " << e.target_calls << " target calls";
    if (e.judge_calls > 0) out << " and " << e.judge_calls << " judge calls";
    out << " (cache hits are free), ~" << tokens_short(e.tokens_in) << " input and ~"
        << tokens_short(e.tokens_out) << " output tokens, about " << usd_text(e.usd) << " (at most "
        << usd_text(e.usd_max) << " if every reply ran to max_tokens)";
    return out.str();
}

}  // namespace remask
