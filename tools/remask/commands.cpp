#include "commands.h"

namespace remask::cli {

// Subcommands register here (declared in their own files). Only working ones are listed.

void add_all_commands(CLI::App& app) {
    add_tokenize_command(app);
    add_logits_command(app);
    add_info_command(app);
    add_chat_command(app);
    add_infill_command(app);
    add_generate_command(app);
    add_serve_command(app);
    add_eval_command(app);
    add_bench_command(app);
    add_optimize_command(app);
    add_report_command(app);
    add_review_command(app);
    add_init_command(app);
    add_convert_command(app);
}

}  // namespace remask::cli
