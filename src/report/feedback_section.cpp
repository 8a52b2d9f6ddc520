#include "report/feedback_section.h"

#include <sstream>

#include "optimize/run_directory.h"
#include "report/html.h"

namespace remask::report {

std::string render_feedback(const RunData& run, const std::string& sfx) {
    std::vector<nlohmann::json> taken;
    for (const nlohmann::json& e : optimize::read_jsonl(run.dir + "/events.jsonl", false))
        if (e.value("event", std::string()) == "feedback") taken.push_back(e);
    if (taken.empty()) return "";
    std::ostringstream html;
    html << "<section id=\"feedback" << sfx << "\"><h3>Reviewer input</h3>\n"
         << "<p class=\"muted\">Feedback read at the start of an iteration shaped the children "
            "proposed in it "
            "(and the scores the search saw from then on; never the test score).</p>\n"
         << "<table><tr><th>iteration</th><th>feedback</th><th>children proposed after "
            "it</th></tr>\n";
    for (const nlohmann::json& e : taken) {
        const int64_t iteration = e.value("iteration", int64_t{0});
        html << "<tr><td>" << iteration << "</td><td>";
        for (const nlohmann::json& f : e.value("entries", nlohmann::json::array())) {
            std::string who = f.value("author", std::string());
            std::string what;
            if (f.contains("note")) {
                what = "note: " + f.value("note", std::string());
            } else {
                what = (f.contains("id") ? f["id"].dump() : f.value("input", std::string()));
                if (f.contains("score")) what += " score → " + f["score"].dump();
                if (f.contains("comment")) what += ": " + f.value("comment", std::string());
            }
            html << "<div>" << (who.empty() ? "" : "<strong>" + escape_html(who) + "</strong>: ")
                 << escape_html(what) << "</div>";
        }
        html << "</td><td>";
        for (const optimize::Candidate& c : run.candidates)
            if (c.iteration == iteration && !c.parent.empty())
                html << escape_html(c.id) << " (" << escape_html(c.decision) << ") ";
        html << "</td></tr>\n";
    }
    html << "</table></section>\n";
    return html.str();
}

}  // namespace remask::report
