#include "core/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace remask {
namespace {

// Captures what Progress writes to stderr while `body` runs.
template <typename Body>
std::string capture_stderr(Body body) {
    char path[] = "/tmp/remask-progress-XXXXXX";
    int fd = mkstemp(path);
    std::fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    body();
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    std::remove(path);
    return text.str();
}

TEST(Progress, PlainModeWritesAFinalLineWithCountsAndNote) {
    Progress::set_mode_for_tests(/*plain=*/true, /*silent=*/false);
    std::string text = capture_stderr([] {
        Progress progress("eval", 3);
        progress.advance(1);
        progress.advance(2, "acc 0.67");
        progress.finish();
    });
    Progress::set_mode_for_tests(false, false);
    // Plain lines are rate-limited, so only the final one is guaranteed.
    EXPECT_NE(text.find("eval: 3/3 acc 0.67"), std::string::npos) << text;
    EXPECT_EQ(text.find('\r'), std::string::npos) << "no carriage returns in plain mode";
}

TEST(Progress, SilentModeWritesNothing) {
    Progress::set_mode_for_tests(true, true);
    std::string text = capture_stderr([] {
        Progress progress("x", 2);
        progress.advance(2);
    });
    Progress::set_mode_for_tests(false, false);
    EXPECT_EQ(text, "");
}

}  // namespace
}  // namespace remask
