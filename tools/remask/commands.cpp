#include "commands.h"

namespace remask::cli {

// Subcommands register here (declared in their own files). Only working ones are listed.

void add_all_commands(CLI::App& app) {
    add_report_command(app);
}

}  // namespace remask::cli
