#pragma once
// An inline SVG line chart: best validation score so far (y, 0..1) against target calls
// (x), one stepped line per run, with axes, ticks and a legend. No scripts.

#include <string>
#include <vector>

#include "report/report_data.h"

namespace remask::report {

std::string render_score_chart(const std::vector<RunData>& runs);

}  // namespace remask::report
