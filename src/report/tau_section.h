#pragma once
// The τ-bench section of report.html (internal to src/report/): id "tau" (suffixed like the
// other sections); "" for runs of other tasks or runs that have not finished.

#include <string>

#include "report/report_data.h"

namespace remask::report {

std::string render_tau(const RunData& run, const std::string& id_suffix);

}  // namespace remask::report
