// remask report RUN_DIR: (re)build RUN_DIR/report.html from the run files; prints its path.

#include <iostream>

#include "commands.h"
#include "report/report.h"

namespace remask::cli {

void add_report_command(CLI::App& app) {
    auto* cmd =
        app.add_subcommand("report", "Rebuild report.html of a run directory (or a sweep folder)");
    auto dir = std::make_shared<std::string>();
    cmd->add_option("RUN_DIR", *dir, "The run directory")->required();
    cmd->callback([dir] { std::cout << remask::report::write_report(*dir) << "\n"; });
}

}  // namespace remask::cli
