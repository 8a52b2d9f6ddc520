#include "report/report.h"

#include <filesystem>
#include <sstream>

#include "optimize/run_directory.h"
#include "report/html.h"
#include "report/report_data.h"
#include "report/report_sections.h"
#include "report/svg_chart.h"
#include "report/feedback_section.h"
#include "report/tau_section.h"

namespace fs = std::filesystem;

namespace remask::report {

namespace {

const char* kStyle =
    R"(body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1.1em;margin-top:1.3em}h4{font-size:.95em;margin:.8em 0 .3em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;font-size:.9em}
pre.prompt{white-space:pre-wrap;background:#f7f7f7;border:1px solid #e3e3e3;padding:.6em;font-size:.88em}
ins{background:#c8f7c5;text-decoration:none}del{background:#fbd0d0;color:#8a1f1f}
ul.tree,ul.tree ul{list-style:none;padding-left:1.2em;border-left:1px dashed #bbb}li.node{margin:.2em 0}
li.best>a{font-weight:bold}.muted{color:#888}.win{color:#1a7f37}.loss{color:#b42318}
.summary{background:#f3f6fb;border:1px solid #d6e0f0;padding:.6em .9em})";

std::string score_or_dash(const nlohmann::json& v) {
    return v.is_number() ? fixed(v.get<double>()) : "–";
}

std::string run_sections(const RunData& run, const std::string& sfx) {
    return render_lineage(run, sfx) + render_diffs(run, sfx) + render_examples(run, sfx) +
           render_feedback(run, sfx) + render_tau(run, sfx) + render_cost(run, sfx);
}

std::string headline(const RunData& run) {
    const nlohmann::json& s = run.summary;
    std::ostringstream out;
    out << "<p class=\"summary\">";
    if (s.is_object()) {
        out << "task <strong>" << escape_html(s.value("task", std::string()))
            << "</strong>, proposer <strong>" << escape_html(s.value("proposer", std::string()))
            << "</strong>: validation " << score_or_dash(s["initial"]["val"]) << " → <strong>"
            << score_or_dash(s["best"]["val"]) << "</strong>, test "
            << score_or_dash(s["initial"]["test"]) << " → <strong>"
            << score_or_dash(s["best"]["test"]) << "</strong> (best candidate "
            << escape_html(s["best"].value("candidate", std::string())) << ")";
    } else {
        out << "The run has not finished (" << run.iterations << " iterations, " << run.target_calls
            << " target calls so far).";
    }
    out << "</p>\n";
    return out.str();
}

}  // namespace

std::string render_report(const std::string& dir) {
    bool is_sweep = false;
    std::vector<RunData> runs = load_runs(dir, is_sweep);
    std::ostringstream html;
    std::string title = "remask report: " + fs::path(dir).filename().string();
    html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>"
         << escape_html(title) << "</title><style>" << kStyle << "</style></head><body>\n<h1>"
         << escape_html(title) << "</h1>\n";
    if (!is_sweep && !runs.empty()) html << headline(runs.front());
    html << "<section id=\"chart\"><h2>Validation score against target calls</h2>\n"
         << render_score_chart(runs) << "</section>\n";
    if (is_sweep) {
        html << render_comparison(runs);
        std::vector<std::string> missing = unfinished_runs(dir);
        if (!missing.empty()) {
            html << "<p id=\"missing\" class=\"muted\">Sub-runs not finished yet:";
            for (const std::string& m : missing) html << " " << escape_html(m) << ";";
            html << "</p>\n";
        }
        for (const RunData& r : runs) {
            std::string sfx = "-" + html_id(r.name);
            html << "<section id=\"run-" << html_id(r.name) << "\" class=\"run\"><h2>"
                 << escape_html(r.name) << "</h2>\n"
                 << headline(r) << run_sections(r, sfx) << "</section>\n";
        }
    } else if (!runs.empty()) {
        html << "<h2>Search</h2>\n" << run_sections(runs.front(), "");
    }
    html << "<footer class=\"muted\"><p>Rebuilt from the run files by <code>remask "
            "report</code>.</p></footer>\n"
         << "</body></html>\n";
    return html.str();
}

std::string write_report(const std::string& dir) {
    bool is_sweep = false;
    std::vector<RunData> runs = load_runs(dir, is_sweep);
    if (is_sweep)
        for (const RunData& r : runs)
            optimize::write_file_atomically(r.dir + "/report.html", render_report(r.dir));
    std::string path = dir + "/report.html";
    optimize::write_file_atomically(path, render_report(dir));
    return path;
}

}  // namespace remask::report
