// Killing a process mid-batch loses no committed answer: the rerun sends exactly the
// requests whose answers are not in the cache.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>

#include "batch_requests.h"
#include "fake_openai_server.h"
#include "llm/sqlite_call_cache.h"
#include "llm/openai_client.h"
#include "temp_dir.h"

namespace remask {
namespace {

using namespace std::chrono_literals;

pid_t start_helper(const std::string& base_url, const std::string& cache, int count, int in_flight) {
    pid_t pid = fork();
    if (pid == 0) {
        std::string count_text = std::to_string(count), in_flight_text = std::to_string(in_flight);
        freopen("/dev/null", "w", stdout);
        execl(REMASK_LLM_BATCH_HELPER, REMASK_LLM_BATCH_HELPER, base_url.c_str(), cache.c_str(),
              count_text.c_str(), in_flight_text.c_str(), (char*)nullptr);
        _exit(127);
    }
    return pid;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(CrashSafety, RerunAfterSigkillSendsOnlyUncommittedRequests) {
    constexpr int kCount = 300, kInFlight = 4;
    testing::FakeOpenAIServer server;
    server.set_reply_delay(3ms);
    testing::TempDir dir;
    std::string cache_path = dir.file("calls.sqlite");

    pid_t pid = start_helper(server.base_url(), cache_path, kCount, kInFlight);
    ASSERT_GT(pid, 0);
    for (int waited = 0; server.good_replies() < 60 && waited < 20000; ++waited) std::this_thread::sleep_for(1ms);
    kill(pid, SIGKILL);
    ASSERT_EQ(wait_exit_code(pid), -SIGKILL) << "the helper ended before it was killed";
    int answered_before_kill = server.good_replies();
    ASSERT_LT(answered_before_kill, kCount);

    // Which answers did the killed process commit?
    auto settings = testing::batch_endpoint(server.base_url(), kInFlight);
    ClientOptions options;
    options.use_cache = false;
    OpenAIClient keys(settings, options);
    std::set<std::string> uncommitted;
    int committed = 0;
    {
        SqliteCallCache cache(cache_path);
        for (int i = 0; i < kCount; ++i) {
            if (cache.find(keys.key_of(testing::batch_request(i))))
                ++committed;
            else
                uncommitted.insert("q" + std::to_string(i));
        }
    }
    // Every answer the process received was committed, except those still in its hands.
    EXPECT_GE(committed, answered_before_kill - kInFlight);
    EXPECT_GT(committed, 0);

    server.reset_counts();
    pid = start_helper(server.base_url(), cache_path, kCount, kInFlight);
    EXPECT_EQ(wait_exit_code(pid), 0);
    auto resent = server.received_texts();
    EXPECT_EQ(std::set<std::string>(resent.begin(), resent.end()), uncommitted);
    EXPECT_EQ(resent.size(), uncommitted.size()) << "a request was sent twice";
    EXPECT_EQ(SqliteCallCache(cache_path).size(), kCount);
}

}  // namespace
}  // namespace remask
