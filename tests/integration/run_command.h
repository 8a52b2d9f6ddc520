#pragma once
// Runs the built `remask` binary (env REMASK_BIN) and captures its exit code, stdout and
// stderr, for end-to-end tests of the command line.

#include <string>
#include <vector>

namespace remask::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// args are passed without a shell; stdin_text is fed to the process's standard input.
CommandResult run_remask(const std::vector<std::string>& args, const std::string& stdin_text = "");

}  // namespace remask::testing
