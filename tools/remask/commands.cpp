#include "commands.h"

namespace remask::cli {

// Subcommands register here (declared in their own files). Only working ones are listed.

void add_all_commands(CLI::App& app) {
    (void)app;
    add_chat_command(app);
    add_eval_command(app);
}

}  // namespace remask::cli
