#pragma once
// The "Reviewer input" section of report.html (internal to src/report/): which feedback
// (from the review page or RUN_DIR/feedback.jsonl) the loop took at the start of which
// iteration, and the children proposed right after it. Id "feedback" (suffixed like the
// other sections); "" for runs that took none.

#include <string>

#include "report/report_data.h"

namespace remask::report {

std::string render_feedback(const RunData& run, const std::string& id_suffix);

}  // namespace remask::report
