#include "tasks/exec_scorer.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "llm/sha256.h"

extern char** environ;

namespace remask {

struct ExecScorer::Worker {
    pid_t pid = -1;
    int to_child = -1;    // the child's stdin
    int from_child = -1;  // the child's stdout
    std::string pending;  // bytes read past the last full line
    std::thread stderr_pump;

    ~Worker() { stop(); }

    // Closes stdin (a well-behaved child exits), waits briefly, then kills.
    void stop() {
        if (to_child >= 0) close(to_child);
        to_child = -1;
        if (pid > 0) {
            int status = 0;
            pid_t done = 0;
            for (int i = 0; i < 50 && (done = waitpid(pid, &status, WNOHANG)) == 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            if (done == 0) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
            }
            pid = -1;
        }
        if (from_child >= 0) close(from_child);
        from_child = -1;
        if (stderr_pump.joinable()) stderr_pump.join();  // ends at the child's EOF
    }

    void kill_now() {
        if (pid > 0) kill(pid, SIGKILL);
        stop();
    }
};

namespace {

constexpr size_t kMaxReplyLineBytes = 1 << 20;  // one reply line from the child
constexpr size_t kMaxLogLineBytes = 4096;        // one line of its stderr in the log

std::unique_ptr<ExecScorer::Worker> spawn_worker(const std::vector<std::string>& argv) {
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
        pipe2(err_pipe, O_CLOEXEC) != 0)
        throw ExternalError("[scorer] command",
                            std::string("cannot make pipes: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(in_pipe[1]);
        close(out_pipe[0]);
        close(err_pipe[0]);
        throw InputError("[scorer] command",
                         "cannot start \"" + argv[0] + "\": " + std::strerror(rc));
    }
    auto w = std::make_unique<ExecScorer::Worker>();
    w->pid = pid;
    w->to_child = in_pipe[1];
    w->from_child = out_pipe[0];
    const int err_fd = err_pipe[0];
    w->stderr_pump = std::thread([err_fd, pid] {
        std::string buffer;
        char chunk[4096];
        ssize_t n;
        while ((n = read(err_fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
            if (n < 0) continue;
            buffer.append(chunk, static_cast<size_t>(n));
            for (size_t end; (end = buffer.find('\n')) != std::string::npos;
                 buffer.erase(0, end + 1))
                log_warn("scorer[", pid, "]: ", buffer.substr(0, std::min(end, kMaxLogLineBytes)));
            // A line that never ends is logged in pieces rather than kept whole.
            if (buffer.size() > kMaxLogLineBytes) {
                log_warn("scorer[", pid, "]: ", buffer.substr(0, kMaxLogLineBytes));
                buffer.clear();
            }
        }
        if (!buffer.empty()) log_warn("scorer[", pid, "]: ", buffer);
        close(err_fd);
    });
    return w;
}

bool write_all(int fd, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

// One line from the worker within timeout_s; "" with *why set on EOF or timeout.
bool read_line(ExecScorer::Worker& w, double timeout_s, std::string* line, std::string* why) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    for (;;) {
        const size_t end = w.pending.find('\n');
        if (end != std::string::npos) {
            *line = w.pending.substr(0, end);
            w.pending.erase(0, end + 1);
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            *why = "no reply line within timeout_s";
            return false;
        }
        pollfd p{w.from_child, POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) continue;  // the deadline check above reports it
        char chunk[65536];
        const ssize_t n = read(w.from_child, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            *why = "the scorer process exited";
            return false;
        }
        w.pending.append(chunk, static_cast<size_t>(n));
        // The child is outside input: a reply line past this bound is garbage, not memory to grow.
        if (w.pending.size() > kMaxReplyLineBytes) {
            *why = "a reply line longer than " + std::to_string(kMaxReplyLineBytes) + " bytes";
            return false;
        }
    }
}

std::string file_hash(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return sha256_hex(text.str());
}

}  // namespace

ExecScorer::ExecScorer(ScorerSettings settings, ScorerOptions options)
    : Scorer(std::move(settings), std::move(options)) {
    signal(SIGPIPE, SIG_IGN);  // a child that died must not kill us when we write to it
    identity_ = "exec";
    for (const auto& arg : settings_.command) {
        identity_ += " " + nlohmann::json(arg).dump();
        std::error_code ec;
        if (std::filesystem::is_regular_file(arg, ec)) identity_ += "#" + file_hash(arg);
    }
}

ExecScorer::~ExecScorer() {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.clear();  // each Worker closes its stdin and waits
}

std::string ExecScorer::describe() const {
    std::string text = "exec";
    for (const auto& arg : settings_.command) text += " " + arg;
    return text;
}

std::unique_ptr<ExecScorer::Worker> ExecScorer::borrow() {
    std::unique_lock<std::mutex> lock(mutex_);
    worker_free_.wait(lock, [&] { return !idle_.empty() || started_ < settings_.max_in_flight; });
    if (!idle_.empty()) {
        auto w = std::move(idle_.back());
        idle_.pop_back();
        return w;
    }
    ++started_;
    lock.unlock();
    try {
        return spawn_worker(settings_.command);
    } catch (...) {
        lock.lock();
        --started_;
        worker_free_.notify_one();
        throw;
    }
}

void ExecScorer::give_back(std::unique_ptr<Worker> worker) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (worker) {
        idle_.push_back(std::move(worker));
    } else {
        --started_;
    }
    worker_free_.notify_one();
}

ScorerVerdict ExecScorer::ask(const nlohmann::json& request, const std::string& example_id) {
    const std::string line = request.dump() + "\n";
    const std::string subject = "scorer " + describe() + ": example " + example_id;
    std::string why;
    const int attempts = static_cast<int>(settings_.max_retries) + 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) {
            log_warn(subject, ": ", why, "; restarted, retrying (", attempt, " of ",
                     settings_.max_retries, ")");
            back_off(attempt - 1);
        }
        std::unique_ptr<Worker> w = borrow();
        std::string reply;
        std::optional<ScorerVerdict> verdict;
        if (!write_all(w->to_child, line)) {
            why = "the scorer process exited";
        } else if (read_line(*w, settings_.timeout_s, &reply, &why)) {
            verdict = parse_scorer_reply(reply, &why);
        }
        if (verdict) {
            give_back(std::move(w));
            return *verdict;
        }
        w->kill_now();  // crashed, hung or out of step: a fresh one serves the retry
        w.reset();
        give_back(nullptr);
    }
    throw ExternalError(subject, why + " (after " + std::to_string(attempts) + " attempts)");
}

}  // namespace remask
