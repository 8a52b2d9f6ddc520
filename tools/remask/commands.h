#pragma once
// One function per subcommand, each in its own file; main.cpp lists them in one place.
// A command adds its CLI11 subcommand and a callback; errors are thrown as remask::Error
// and printed by main as one line.

#include <CLI/CLI.hpp>

namespace remask::cli {

void add_report_command(CLI::App& app);    // report_command.cpp
// optimize_command.cpp
void add_optimize_command(CLI::App& app);

// Registry: each line adds one working subcommand.
void add_all_commands(CLI::App& app);

void add_tokenize_command(CLI::App& app);
void add_logits_command(CLI::App& app);  // logits_command.cpp
void add_info_command(CLI::App& app);    // info_command.cpp
void add_chat_command(CLI::App& app);
void add_infill_command(CLI::App& app);    // infill_command.cpp
void add_generate_command(CLI::App& app);  // generate_command.cpp
void add_serve_command(CLI::App& app);     // serve_command.cpp
void add_eval_command(CLI::App& app);
void add_bench_command(CLI::App& app);     // bench_command.cpp
void add_init_command(CLI::App& app);      // init_command.cpp
void add_review_command(CLI::App& app);    // review_command.cpp
void add_convert_command(CLI::App& app);   // convert_command.cpp

}  // namespace remask::cli
