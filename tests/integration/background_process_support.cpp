#include "background_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace remask::testing {

BackgroundRemask::BackgroundRemask(const std::vector<std::string>& args, double timeout_s) {
    const char* bin = std::getenv("REMASK_BIN");
    if (bin == nullptr) throw std::runtime_error("REMASK_BIN is not set (run through ctest)");
    char dir_template[] = "/tmp/remask-serve-XXXXXX";
    dir_ = mkdtemp(dir_template);
    std::string port_file = dir_ + "/port";
    err_path_ = dir_ + "/stderr";
    std::vector<std::string> all = args;
    all.insert(all.end(), {"--port", "0", "--port-file", port_file});
    pid_ = fork();
    if (pid_ == 0) {
        int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(err, 2);
        std::vector<char*> argv = {const_cast<char*>(bin)};
        for (auto& a : all) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(bin, argv.data());
        _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(port_file);
        if (in >> port_) return;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("remask serve exited early; see " + err_path_);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop();
    throw std::runtime_error("remask serve did not start listening in time");
}

BackgroundRemask::~BackgroundRemask() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
}

int BackgroundRemask::stop() {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    kill(pid_, SIGCONT);  // a stopped process handles SIGTERM only once continued
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void BackgroundRemask::signal(int number) {
    if (pid_ > 0) kill(pid_, number);
}

std::string run_shell(const std::string& command, int* exit_code) {
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    int status = pclose(pipe);
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

}  // namespace remask::testing
