// remask report RUN_DIR: (re)build RUN_DIR/report.html from the run files; prints its path.
// A sweep folder (sharded or not) gets the merged report; sub-runs that have not finished
// are named in one error line (exit 1) after the report of the others is written.

#include <iostream>

#include "commands.h"
#include "core/error.h"
#include "report/report.h"
#include "report/report_data.h"

namespace remask::cli {

void add_report_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("report", "Rebuild report.html of a run directory (or a sweep folder)");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("RUN_DIR", *dir, "The run directory")->required();
    cmd->callback([dir] {
        std::cout << remask::report::write_report(*dir) << "\n";
        std::vector<std::string> missing = remask::report::unfinished_runs(*dir);
        if (missing.empty()) return;
        std::string names;
        for (const std::string& m : missing) names += (names.empty() ? "" : ", ") + m;
        throw remask::ExternalError(*dir, std::to_string(missing.size()) + " sub-run(s) of the sweep missing: " +
                                              names + "; the report covers the others");
    });
}

}  // namespace remask::cli
