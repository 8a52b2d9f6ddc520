#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace remask {
namespace {

bool g_force_plain = false;
bool g_silent = false;

std::string format_duration(double seconds) {
    char buf[32];
    long s = static_cast<long>(seconds + 0.5);
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    return buf;
}

}  // namespace

void Progress::set_mode_for_tests(bool plain, bool silent) {
    g_force_plain = plain;
    g_silent = silent;
}

Progress::Progress(std::string label, size_t total)
    : label_(std::move(label)),
      total_(total),
      live_(!g_force_plain && isatty(fileno(stderr))),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::advance(size_t done, const std::string& note) {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ += done;
    if (!note.empty()) note_ = note;
    draw(false);
}

void Progress::set_note(const std::string& note) {
    std::lock_guard<std::mutex> lock(mutex_);
    note_ = note;
    draw(false);
}

void Progress::finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (finished_) return;
    finished_ = true;
    draw(true);
    if (live_ && !g_silent) std::fputc('\n', stderr);
}

void Progress::draw(bool force) {
    if (g_silent) return;
    auto now = std::chrono::steady_clock::now();
    double since_draw = std::chrono::duration<double>(now - last_draw_).count();
    // Live bars redraw often; plain lines are rate-limited so logs stay short.
    double interval = live_ ? 0.1 : 5.0;
    if (!force && since_draw < interval) return;
    last_draw_ = now;
    double elapsed = std::chrono::duration<double>(now - start_).count();
    std::string eta = "?";
    if (done_ > 0 && total_ > done_) eta = format_duration(elapsed / done_ * (total_ - done_));
    if (done_ >= total_) eta = "0m00s";
    if (live_) {
        const int width = 24;
        int filled = total_ ? static_cast<int>(width * std::min<double>(1.0, double(done_) / total_)) : 0;
        std::string bar(filled, '#');
        bar.resize(width, '.');
        std::fprintf(stderr, "\r\x1b[2K%s [%s] %zu/%zu %s eta %s", label_.c_str(), bar.c_str(), done_,
                     total_, note_.c_str(), eta.c_str());
    } else {
        std::fprintf(stderr, "%s: %zu/%zu %s (elapsed %s, eta %s)\n", label_.c_str(), done_, total_,
                     note_.c_str(), format_duration(elapsed).c_str(), eta.c_str());
    }
    std::fflush(stderr);
}

}  // namespace remask
