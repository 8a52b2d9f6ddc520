// A cache commit that fails after a paid call (a full disk, here a file size limit set
// with RLIMIT_FSIZE in a child process) keeps the answer: served from memory, committed
// once writing works again, and lost only with one clear line when it never does.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "core/error.h"
#include "llm/retrying_call_cache.h"
#include "llm/sqlite_call_cache.h"
#include "temp_dir.h"

namespace remask {
namespace {

ChatResponse cached_answer(const std::string& text) {
    ChatResponse response;
    response.message.role = "assistant";
    response.message.content = text;
    response.finish_reason = "stop";
    return response;
}

// Runs `body` in a child process with stderr captured; returns {exit code, stderr}.
std::pair<int, std::string> in_child(const std::string& stderr_file, const std::function<int()>& body) {
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        if (!std::freopen(stderr_file.c_str(), "w", stderr)) _exit(100);
        signal(SIGXFSZ, SIG_IGN);  // writes past the limit fail with EFBIG
        int code = body();
        std::fflush(stderr);
        _exit(code);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    std::string err;
    if (std::FILE* f = std::fopen(stderr_file.c_str(), "r")) {
        char buf[4096];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) err.append(buf, n);
        std::fclose(f);
    }
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 200 + WTERMSIG(status), err};
}

// Caps every file this process writes at the size the cache files have now.
void freeze_file_sizes(const std::string& cache_path) {
    rlim_t largest = 0;
    for (const char* suffix : {"", "-wal"}) {  // -shm is mapped at its full size already
        std::error_code ec;
        auto size = std::filesystem::file_size(cache_path + suffix, ec);
        if (!ec) largest = std::max<rlim_t>(largest, size);
    }
    struct rlimit limit;
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = largest;
    setrlimit(RLIMIT_FSIZE, &limit);
}

void lift_file_size_limit() {
    struct rlimit limit;
    getrlimit(RLIMIT_FSIZE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_FSIZE, &limit);
}

#define CHILD_EXPECT(condition)                                        \
    if (!(condition)) {                                                \
        std::fprintf(stderr, "child check failed: %s\n", #condition); \
        return 1;                                                      \
    }

TEST(RetryingCallCache, AnswersWhoseCommitFailsAreKeptUsedAndCommittedLater) {
    testing::TempDir dir;
    std::string cache_path = dir.file("calls.sqlite");
    auto [code, err] = in_child(dir.file("stderr.txt"), [&] {
        RetryingCallCache cache(std::make_shared<SqliteCallCache>(cache_path));
        cache.store("k0", "m", cached_answer("zero"));
        freeze_file_sizes(cache_path);
        for (int i = 1; i <= 4; ++i) cache.store("k" + std::to_string(i), "m", cached_answer("paid " + std::to_string(i)));
        CHILD_EXPECT(cache.kept_answers() == 4);
        auto kept = cache.find("k3");
        CHILD_EXPECT(kept && kept->message.content == "paid 3" && kept->cached);
        lift_file_size_limit();  // space is back
        cache.store("k5", "m", cached_answer("five"));
        CHILD_EXPECT(cache.kept_answers() == 0);
        return 0;
    });
    ASSERT_EQ(code, 0) << err;
    // One warning for the run of failures, not one per answer.
    EXPECT_NE(err.find("remask: warning: cache"), std::string::npos) << err;
    EXPECT_EQ(err.find("warning", err.find("warning") + 1), std::string::npos) << err;
    SqliteCallCache reopened(cache_path);
    EXPECT_EQ(reopened.size(), 6);
    for (int i = 1; i <= 4; ++i) {
        auto hit = reopened.find("k" + std::to_string(i));
        ASSERT_TRUE(hit) << i;
        EXPECT_EQ(hit->message.content, "paid " + std::to_string(i));
    }
}

TEST(RetryingCallCache, AnswersThatCanNeverBeSavedAreNamedInOneWarning) {
    testing::TempDir dir;
    std::string cache_path = dir.file("calls.sqlite");
    auto [code, err] = in_child(dir.file("stderr.txt"), [&] {
        RetryingCallCache cache(std::make_shared<SqliteCallCache>(cache_path));
        cache.store("k0", "m", cached_answer("zero"));
        freeze_file_sizes(cache_path);
        cache.store("k1", "m", cached_answer("one"));
        cache.store("k2", "m", cached_answer("two"));
        return 0;  // the cache's destructor tries once more, still over the limit
    });
    ASSERT_EQ(code, 0) << err;
    EXPECT_NE(err.find("remask: warning: cache " + cache_path + ": 2 answers could not be saved"), std::string::npos)
        << err;
}

TEST(RetryingCallCache, TooManyKeptAnswersStopWithOneClearError) {
    testing::TempDir dir;
    std::string cache_path = dir.file("calls.sqlite");
    auto [code, err] = in_child(dir.file("stderr.txt"), [&] {
        RetryingCallCache cache(std::make_shared<SqliteCallCache>(cache_path), 1000);
        cache.store("k0", "m", cached_answer("zero"));
        freeze_file_sizes(cache_path);
        try {
            for (int i = 1; i <= 10; ++i) cache.store("k" + std::to_string(i), "m", cached_answer(std::string(300, 'x')));
        } catch (const ExternalError& e) {
            std::fprintf(stderr, "stopped: %s\n", e.what());
            return 3;
        }
        return 0;
    });
    EXPECT_EQ(code, 3) << err;
    EXPECT_NE(err.find("stopped: cache " + cache_path + ": cannot save answers"), std::string::npos) << err;
}

}  // namespace
}  // namespace remask
