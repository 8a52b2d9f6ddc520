#pragma once
// The sections of report.html for one run (internal to src/report/): each returns an HTML
// fragment whose outer element carries the documented id (see report.h), suffixed with
// the run's html_id when several runs share a page.

#include <string>
#include <vector>

#include "report/report_data.h"

namespace remask::report {

std::string render_lineage(const RunData& run, const std::string& id_suffix);
std::string render_diffs(const RunData& run, const std::string& id_suffix);
std::string render_examples(const RunData& run, const std::string& id_suffix);
std::string render_cost(const RunData& run, const std::string& id_suffix);
std::string render_comparison(const std::vector<RunData>& runs);

// The edits of `child` against its parent as HTML: kept text, <del> and <ins>.
std::string render_edit_html(const optimize::Candidate& child, const optimize::Candidate* parent);

}  // namespace remask::report
