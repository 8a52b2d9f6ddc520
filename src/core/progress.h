#pragma once
// Progress for long work, on stderr: a live bar redrawn in place on a terminal, or a plain
// line every few seconds when stderr is a file or pipe (CI logs, `2> log`).
//
//   Progress progress("eval sst2", examples.size());
//   for (...) { ...; progress.advance(1, "acc 0.91"); }
//   progress.finish();

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace remask {

class Progress {
public:
    Progress(std::string label, size_t total);
    ~Progress();

    // Thread-safe. note: a short status shown after the counts (best score, calls used).
    void advance(size_t done = 1, const std::string& note = "");
    void set_note(const std::string& note);
    void finish();

    size_t done() const { return done_; }

    // Forces plain-line mode (tests) or disables all output.
    static void set_mode_for_tests(bool plain, bool silent);

private:
    void draw(bool force);

    std::string label_;
    size_t total_;
    size_t done_ = 0;
    std::string note_;
    bool live_;
    bool finished_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    std::mutex mutex_;
};

}  // namespace remask
