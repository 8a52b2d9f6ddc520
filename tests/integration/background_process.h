#pragma once
// Starts `remask serve` (or any remask command that listens) in the background and stops it
// with SIGTERM, for end-to-end tests against a real server.

#include <sys/types.h>

#include <string>
#include <vector>

namespace remask::testing {

class BackgroundRemask {
public:
    // Runs `remask <args> --port 0 --port-file <tmp>` and waits (up to timeout_s) for the port.
    BackgroundRemask(const std::vector<std::string>& args, double timeout_s = 120);
    ~BackgroundRemask();

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
    // SIGTERM (and SIGCONT, should it be stopped), then waits; returns the exit code
    // (128 + signal if killed by one).
    int stop();
    // Sends a signal (SIGKILL, SIGSTOP, SIGCONT) without waiting.
    void signal(int number);
    const std::string& stderr_path() const { return err_path_; }

private:
    pid_t pid_ = -1;
    int port_ = 0;
    std::string dir_;
    std::string err_path_;
};

// Runs a shell command line and returns its stdout; exit code in *exit_code.
std::string run_shell(const std::string& command, int* exit_code);

}  // namespace remask::testing
