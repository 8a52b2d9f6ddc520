#pragma once
// Runs the built `remask` binary (env REMASK_BIN) and captures its exit code, stdout and
// stderr, for end-to-end tests of the command line.

#include <filesystem>
#include <string>
#include <vector>

namespace remask::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// A fresh folder under /tmp, removed with its content at scope end.
class TempDir {
public:
    TempDir();
    ~TempDir();
    std::filesystem::path dir;
};

// A model fixture made by the build: REMASK_BINARY_DIR/fixtures/<name>.
std::string fixture_path(const std::string& name);

// A file's whole content ("" when it cannot be read).
std::string read_text_file(const std::string& path);

// args are passed without a shell; stdin_text is fed to the process's standard input.
CommandResult run_remask(const std::vector<std::string>& args, const std::string& stdin_text = "");

}  // namespace remask::testing
