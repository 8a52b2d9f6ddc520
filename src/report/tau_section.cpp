// The τ-bench section of report.html: per-task reward of the best prompt against the
// initial one on validation and test (wins, losses), pass^k when tasks ran several
// trials, and one short excerpt of an episode that changed. Read from events.jsonl (the
// traces of every evaluation, keyed by prompt hash).

#include "report/tau_section.h"

#include <algorithm>
#include <map>
#include <sstream>

#include "optimize/journal_memo.h"
#include "optimize/prompt_text.h"
#include "optimize/run_directory.h"
#include "report/html.h"

namespace remask::report {
namespace {

using optimize::Trace;
using TraceBook = std::map<std::string, std::map<std::string, Trace>>;  // prompt hash → id → trace

struct Column {
    std::vector<std::string> ids;  // in the order first evaluated
    std::map<std::string, Trace> initial, best;
};

std::string cut(const std::string& text, size_t max_chars) {
    if (text.size() <= max_chars) return text;
    size_t end = max_chars;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end) + " […]";
}

// pass^k over tasks for k = 1..trials: mean of C(c, k) / C(n, k), c = trials with reward 1.
std::vector<double> pass_hat(const std::map<std::string, Trace>& traces) {
    size_t trials = 0;
    for (const auto& [id, t] : traces) trials = std::max(trials, t.trial_scores.size());
    std::vector<double> out(trials, 0.0);
    if (trials < 2 || traces.empty()) return {};
    auto choose = [](size_t n, size_t k) {
        double r = 1;
        for (size_t i = 0; i < k; ++i)
            r = r * static_cast<double>(n - i) / static_cast<double>(i + 1);
        return r;
    };
    for (const auto& [id, t] : traces) {
        size_t c = 0;
        for (double s : t.trial_scores) c += s >= 1.0 - 1e-6 ? 1 : 0;
        for (size_t k = 1; k <= trials; ++k)
            out[k - 1] += (c >= k ? choose(c, k) : 0.0) / choose(t.trial_scores.size(), k);
    }
    for (double& v : out) v /= static_cast<double>(traces.size());
    return out;
}

std::string render_split(const std::string& title, const Column& column, bool& excerpt_done,
                         std::ostringstream& excerpt) {
    std::ostringstream out;
    int wins = 0, losses = 0, ties = 0;
    std::ostringstream rows;
    for (const std::string& id : column.ids) {
        auto a = column.initial.find(id), b = column.best.find(id);
        if (a == column.initial.end() || b == column.best.end()) continue;
        const double before = a->second.score, after = b->second.score;
        const char* cls = after > before ? "win" : after < before ? "loss" : "";
        (after > before ? wins : after < before ? losses : ties) += 1;
        rows << "<tr class=\"" << cls << "\"><td>" << escape_html(id) << "</td><td>"
             << fixed(before, 2) << "</td><td>" << fixed(after, 2) << "</td></tr>\n";
        if (!excerpt_done && after != before) {
            excerpt_done = true;
            excerpt << "<h4>An episode that changed: " << escape_html(id) << " ("
                    << escape_html(title) << ")</h4>\n<p>" << escape_html(cut(a->second.input, 300))
                    << "</p>\n<table><tr><th>initial (" << fixed(before, 2) << ")</th><th>best ("
                    << fixed(after, 2) << ")</th></tr>\n<tr><td><pre class=\"prompt\">"
                    << escape_html(cut(a->second.reply + "\n" + a->second.feedback, 500))
                    << "</pre></td><td><pre class=\"prompt\">"
                    << escape_html(cut(b->second.reply + "\n" + b->second.feedback, 500))
                    << "</pre></td></tr></table>\n";
        }
    }
    out << "<h4>" << escape_html(title) << ": <span class=\"win\">" << wins
        << " wins</span>, <span class=\"loss\">" << losses << " losses</span>, " << ties
        << " unchanged</h4>\n";
    std::vector<double> before = pass_hat(column.initial), after = pass_hat(column.best);
    if (!before.empty() && before.size() == after.size()) {
        out << "<table class=\"pass-k\"><tr><th>k</th><th>initial pass^k</th><th>best "
               "pass^k</th></tr>\n";
        for (size_t k = 0; k < before.size(); ++k)
            out << "<tr><td>" << k + 1 << "</td><td>" << fixed(before[k]) << "</td><td>"
                << fixed(after[k]) << "</td></tr>\n";
        out << "</table>\n";
    }
    out << "<table><tr><th>task</th><th>initial reward</th><th>best reward</th></tr>\n"
        << rows.str() << "</table>\n";
    return out.str();
}

}  // namespace

std::string render_tau(const RunData& run, const std::string& sfx) {
    const nlohmann::json& s = run.summary;
    if (!s.is_object() || s.value("task", std::string()).rfind("tau-", 0) != 0) return "";
    const optimize::Candidate* initial = run.candidates.empty() ? nullptr : &run.candidates.front();
    const optimize::Candidate* best = run.find(s["best"].value("candidate", std::string()));
    if (!initial || !best) return "";
    const std::string initial_key =
        optimize::prompt_key(optimize::render_for_target(initial->prompt));
    const std::string best_key = optimize::prompt_key(optimize::render_for_target(best->prompt));

    TraceBook book;
    Column val, test;
    for (const nlohmann::json& e : optimize::read_jsonl(run.dir + "/events.jsonl", false)) {
        if (e.value("event", std::string()) != "eval") continue;
        const std::string key = e.value("prompt_hash", std::string());
        const bool is_test = e.value("phase", std::string()) == "test";
        for (const nlohmann::json& t : e.value("traces", nlohmann::json::array())) {
            Trace trace = optimize::trace_from_json(t);
            if (is_test && key == initial_key) test.ids.push_back(trace.example_id);
            book[key][trace.example_id] = trace;
        }
    }
    for (const auto& [id, score] : initial->val_scores) val.ids.push_back(id);
    for (Column* c : {&val, &test}) {
        for (const std::string& id : c->ids) {
            if (auto it = book[initial_key].find(id); it != book[initial_key].end())
                c->initial[id] = it->second;
            if (auto it = book[best_key].find(id); it != book[best_key].end())
                c->best[id] = it->second;
        }
    }
    std::ostringstream out, excerpt;
    bool excerpt_done = false;
    out << "<section id=\"tau" << sfx << "\" class=\"tau\"><h3>τ-bench tasks: best "
        << escape_html(best->id) << " vs initial</h3>\n";
    out << render_split("validation", val, excerpt_done, excerpt);
    if (!test.ids.empty()) out << render_split("test", test, excerpt_done, excerpt);
    out << (excerpt_done ? excerpt.str() : "<p>No task's reward changed.</p>\n") << "</section>\n";
    return out.str();
}

}  // namespace remask::report
