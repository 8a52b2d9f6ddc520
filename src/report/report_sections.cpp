#include "report/report_sections.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "optimize/span_diff.h"
#include "report/html.h"

namespace remask::report {

using optimize::Candidate;

namespace {

std::string score_text(const std::optional<double>& v) { return v ? fixed(*v) : "–"; }

std::string json_score(const nlohmann::json& v) {
    return v.is_number() ? fixed(v.get<double>()) : "–";
}

}  // namespace

std::string render_lineage(const RunData& run, const std::string& sfx) {
    std::map<std::string, std::vector<const Candidate*>> pooled_children;
    std::map<std::string, int> rejected;
    const Candidate* root = nullptr;
    for (const Candidate& c : run.candidates) {
        if (c.parent.empty())
            root = &c;
        else if (c.accepted)
            pooled_children[c.parent].push_back(&c);
        else
            ++rejected[c.parent];
    }
    const Candidate* best = run.best();
    std::ostringstream out;
    out << "<section id=\"lineage" << sfx << "\" class=\"lineage\"><h3>Candidate lineage</h3>\n";
    if (!root) {
        out << "<p>No candidates yet.</p></section>\n";
        return out.str();
    }
    std::function<void(const Candidate&)> node = [&](const Candidate& c) {
        bool is_best = best && best->id == c.id;
        out << "<li id=\"node-" << html_id(c.id) << sfx << "\" class=\"node"
            << (is_best ? " best" : "") << "\">"
            << "<a href=\"#diff-" << html_id(c.id) << sfx << "\">" << escape_html(c.id)
            << "</a> val " << score_text(c.val);
        if (c.minibatch_score)
            out << " · minibatch " << fixed(*c.parent_minibatch_score, 2) << " → "
                << fixed(*c.minibatch_score, 2);
        if (c.decision == "picked") out << " · picked by a person";
        if (is_best) out << " · <strong>best</strong>";
        if (rejected[c.id] > 0)
            out << " <span class=\"muted\">(" << rejected[c.id] << " children rejected)</span>";
        auto it = pooled_children.find(c.id);
        if (it != pooled_children.end()) {
            out << "<ul>";
            for (const Candidate* child : it->second) node(*child);
            out << "</ul>";
        }
        out << "</li>\n";
    };
    out << "<ul class=\"tree\">";
    node(*root);
    out << "</ul></section>\n";
    return out.str();
}

std::string render_edit_html(const Candidate& child, const Candidate* parent) {
    std::vector<optimize::EditSpan> edits = child.edits;
    bool consistent = true;
    size_t last = 0;
    for (const auto& e : edits) {
        consistent = consistent && e.start >= last && e.end >= e.start &&
                     e.end <= child.prompt.size() &&
                     child.prompt.compare(e.start, e.end - e.start, e.after) == 0;
        last = e.end;
    }
    if ((!consistent || edits.empty()) && parent)
        edits = optimize::diff_spans(parent->prompt, child.prompt, optimize::whitespace_splitter());
    std::string html;
    size_t pos = 0;
    for (const auto& e : edits) {
        html += escape_html(child.prompt.substr(pos, e.start - pos));
        if (!e.before.empty()) html += "<del>" + escape_html(e.before) + "</del>";
        if (!e.after.empty()) html += "<ins>" + escape_html(e.after) + "</ins>";
        pos = e.end;
    }
    html += escape_html(child.prompt.substr(std::min(pos, child.prompt.size())));
    return html;
}

std::string render_diffs(const RunData& run, const std::string& sfx) {
    std::ostringstream out;
    out << "<section id=\"diffs" << sfx << "\" class=\"diffs\"><h3>Accepted edits</h3>\n";
    int shown = 0;
    for (const Candidate& c : run.candidates) {
        if (c.parent.empty()) {
            out << "<div class=\"diff\" id=\"diff-" << html_id(c.id) << sfx << "\"><h4>"
                << escape_html(c.id) << " (initial prompt, val " << score_text(c.val)
                << ")</h4><pre class=\"prompt\">" << escape_html(c.prompt) << "</pre></div>\n";
            continue;
        }
        if (!c.accepted) continue;
        ++shown;
        out << "<div class=\"diff\" id=\"diff-" << html_id(c.id) << sfx << "\"><h4>"
            << escape_html(c.id) << " from " << escape_html(c.parent) << " ("
            << escape_html(c.proposer) << "), val " << score_text(c.val)
            << "</h4><pre class=\"prompt\">" << render_edit_html(c, run.find(c.parent))
            << "</pre></div>\n";
    }
    if (shown == 0) out << "<p>No candidate beat its parent: the initial prompt stands.</p>\n";
    out << "</section>\n";
    return out.str();
}

std::string render_examples(const RunData& run, const std::string& sfx) {
    std::ostringstream out;
    out << "<section id=\"examples" << sfx
        << "\" class=\"examples\"><h3>Validation examples: best vs initial</h3>\n";
    const Candidate* initial = run.candidates.empty() ? nullptr : &run.candidates.front();
    const Candidate* best = run.best();
    if (!initial || !best) {
        out << "<p>No scores yet.</p></section>\n";
        return out.str();
    }
    struct Row {
        std::string id;
        double before, after;
    };
    std::vector<Row> wins, losses;
    int ties = 0;
    for (const auto& [id, before] : initial->val_scores) {
        auto it = best->val_scores.find(id);
        if (it == best->val_scores.end()) continue;
        if (it->second > before)
            wins.push_back({id, before, it->second});
        else if (it->second < before)
            losses.push_back({id, before, it->second});
        else
            ++ties;
    }
    out << "<p class=\"tally\">best <strong>" << escape_html(best->id)
        << "</strong> vs initial: <span class=\"win\">" << wins.size()
        << " wins</span>, <span class=\"loss\">" << losses.size() << " losses</span>, " << ties
        << " unchanged</p>\n<table><tr><th>example</th><th>initial</th><th>best</th><th></th></"
           "tr>\n";
    for (const auto* group : {&wins, &losses})
        for (const Row& r : *group)
            out << "<tr class=\"" << (group == &wins ? "win" : "loss") << "\"><td>"
                << escape_html(r.id) << "</td><td>" << fixed(r.before, 2) << "</td><td>"
                << fixed(r.after, 2) << "</td><td>" << (group == &wins ? "win" : "loss")
                << "</td></tr>\n";
    out << "</table></section>\n";
    return out.str();
}

std::string render_cost(const RunData& run, const std::string& sfx) {
    std::ostringstream out;
    out << "<section id=\"cost" << sfx << "\" class=\"cost\"><h3>Cost</h3>\n";
    const nlohmann::json& s = run.summary;
    if (!s.is_object()) {
        out << "<p>The run has not finished: " << run.target_calls << " target calls so far, "
            << run.iterations << " iterations.</p></section>\n";
        return out.str();
    }
    const nlohmann::json calls = s.value("calls", nlohmann::json::object());
    out << "<table>"
        << "<tr><th>target calls</th><td>" << calls.value("target", 0) << "</td></tr>"
        << "<tr><th>simulated-user calls</th><td>" << calls.value("user", 0) << "</td></tr>"
        << "<tr><th>rewriter calls</th><td>" << calls.value("rewriter", 0) << "</td></tr>"
        << "<tr><th>judge calls</th><td>" << calls.value("judge", 0) << "</td></tr>"
        << (calls.contains("scorer") ? "<tr><th>scorer calls (not capped)</th><td>" +
                                               std::to_string(calls.value("scorer", 0)) + "</td></tr>"
                                         : std::string())
        << "<tr><th>DLM forward passes</th><td>" << s.value("dlm_forwards", 0)
        << (run.dlm_setup.empty() ? "" : " (" + escape_html(run.dlm_setup) + ")") << "</td></tr>"
        << "<tr><th>tokens</th><td>" << s.value("tokens", 0) << "</td></tr>"
        << "<tr><th>money (USD)</th><td>" << fixed(s.value("usd", 0.0), 4) << "</td></tr>"
        << "<tr><th>wall time (s)</th><td>" << fixed(s.value("wall_s", 0.0), 1) << "</td></tr>"
        << "<tr><th>iterations</th><td>" << run.iterations << "</td></tr>"
        << "<tr><th>stopped by</th><td>" << escape_html(run.stop_reason) << "</td></tr>"
        << "</table></section>\n";
    return out.str();
}

std::string render_comparison(const std::vector<RunData>& runs) {
    std::ostringstream out;
    out << "<section id=\"comparison\"><h2>Comparison</h2><table><tr><th>run</th><th>initial "
           "val</th><th>best val</th>"
           "<th>initial test</th><th>best test</th><th>target calls</th><th>DLM "
           "forwards</th><th>USD</th></tr>\n";
    for (const RunData& r : runs) {
        const nlohmann::json& s = r.summary;
        out << "<tr><td><a href=\"#run-" << html_id(r.name) << "\">" << escape_html(r.name)
            << "</a></td>";
        if (s.is_object()) {
            out << "<td>" << json_score(s["initial"]["val"]) << "</td><td>"
                << json_score(s["best"]["val"]) << "</td><td>" << json_score(s["initial"]["test"])
                << "</td><td>" << json_score(s["best"]["test"]) << "</td><td>"
                << s["calls"].value("target", 0) << "</td><td>" << s.value("dlm_forwards", 0)
                << "</td><td>" << fixed(s.value("usd", 0.0), 4) << "</td>";
        } else {
            out << "<td colspan=\"7\">running (" << r.target_calls << " target calls so far)</td>";
        }
        out << "</tr>\n";
    }
    out << "</table></section>\n";
    return out.str();
}

}  // namespace remask::report
