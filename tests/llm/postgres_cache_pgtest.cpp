// The PostgreSQL call cache against a temporary cluster (one per test binary): schema,
// promises of the SQLite cache, and single-flight between processes, with processes killed
// mid-batch and while holding a lease.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "batch_requests.h"
#include "core/error.h"
#include "fake_openai_server.h"
#include "llm/openai_client.h"
#include "llm/postgres_call_cache.h"
#include "postgres_cluster.h"

namespace remask {
namespace {

using namespace std::chrono_literals;
using testing::PostgresCluster;

PostgresCluster* cluster = nullptr;
int databases = 0;

// A fresh database per test in the binary's one cluster.
std::string fresh_cache_url(const std::string& extra = "") {
    return cluster->create_database("t" + std::to_string(++databases), extra);
}

class ClusterEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        if (PostgresCluster::binaries().empty()) return;
        cluster = new PostgresCluster();
    }
    void TearDown() override {
        delete cluster;
        cluster = nullptr;
    }
};

const auto* const environment = ::testing::AddGlobalTestEnvironment(new ClusterEnvironment);

#define REQUIRE_CLUSTER()                                                                                  \
    if (!cluster)                                                                                          \
    GTEST_SKIP() << "PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/setup.sh " \
                    "installs the postgresql package)"

ChatResponse answer(const std::string& text) {
    ChatResponse response;
    response.message = ChatMessage::of("assistant", text);
    response.finish_reason = "stop";
    response.usage = {10, 2};
    return response;
}

pid_t start_helper(const std::string& base_url, const std::string& cache, int count, int in_flight, int first = 0,
                   bool reversed = false) {
    pid_t pid = fork();
    if (pid == 0) {
        std::string count_text = std::to_string(count), in_flight_text = std::to_string(in_flight),
                    first_text = std::to_string(first);
        freopen("/dev/null", "w", stdout);
        execl(REMASK_LLM_BATCH_HELPER, REMASK_LLM_BATCH_HELPER, base_url.c_str(), cache.c_str(),
              count_text.c_str(), in_flight_text.c_str(), first_text.c_str(), reversed ? "reverse" : "forward",
              (char*)nullptr);
        _exit(127);
    }
    return pid;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

std::string key_of(const std::string& base_url, int index) {
    ClientOptions options;
    options.use_cache = false;
    return OpenAIClient(testing::batch_endpoint(base_url, 1), options).key_of(testing::batch_request(index));
}

int count_of(const std::vector<std::string>& texts, const std::string& text) {
    return int(std::count(texts.begin(), texts.end(), text));
}

TEST(PostgresCache, StoresFindsAndCreatesItsVersionedSchema) {
    REQUIRE_CLUSTER();
    std::string url = fresh_cache_url();
    {
        PostgresCallCache cache(url);
        EXPECT_EQ(cache.schema_version(), PostgresCallCache::kSchemaVersion);
        EXPECT_FALSE(cache.find("k1"));
        cache.store("k1", "m", answer("one"));
        auto hit = cache.find("k1");
        ASSERT_TRUE(hit);
        EXPECT_EQ(hit->message.content, "one");
        EXPECT_EQ(hit->usage.prompt_tokens, 10);
        EXPECT_TRUE(hit->cached);
        EXPECT_EQ(cache.size(), 1);
    }
    {
        PostgresCallCache again(url);  // reopening migrates nothing and keeps the rows
        EXPECT_EQ(again.find("k1")->message.content, "one");
    }
    std::string database = url.substr(std::string("postgresql:///").size());
    database = database.substr(0, database.find('?'));
    cluster->query(database, "UPDATE remask_schema SET version = 99");
    try {
        PostgresCallCache newer(url);
        FAIL() << "a database of a newer remask should be refused";
    } catch (const ExternalError& e) {
        EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
    }
}

TEST(PostgresCache, TheApiKeyIsSentButNeverWrittenToTheDatabase) {
    REQUIRE_CLUSTER();
    testing::FakeOpenAIServer server;
    std::string url = fresh_cache_url();
    setenv("REMASK_TEST_PG_KEY", "sk-pg-secret-42", 1);
    EndpointSettings settings = testing::batch_endpoint(server.base_url(), 1);
    settings.api_key_env = "REMASK_TEST_PG_KEY";
    ClientOptions options;
    options.cache_path = url;
    OpenAIClient client(settings, options);
    EXPECT_EQ(client.chat(testing::batch_request(1)).message.content, "answer to q1");
    EXPECT_TRUE(client.chat(testing::batch_request(1)).cached);
    unsetenv("REMASK_TEST_PG_KEY");
    EXPECT_EQ(server.last_authorization(), "Bearer sk-pg-secret-42");
    std::string database = url.substr(std::string("postgresql:///").size());
    database = database.substr(0, database.find('?'));
    EXPECT_EQ(cluster->query(database, "SELECT count(*) FROM remask_calls"), "1\n");
    EXPECT_EQ(cluster->query(database, "SELECT count(*) FROM remask_calls WHERE key || model || response LIKE "
                                       "'%sk-pg-secret%'"),
              "0\n");
    EXPECT_EQ(cluster->query(database, "SELECT count(*) FROM remask_leases"), "0\n") << "the lease ends with the store";
}

TEST(PostgresCache, UnreachableServerIsOneClearError) {
    try {
        PostgresCallCache cache("postgresql:///none?host=/nonexistent-remask-dir&port=5999");
        FAIL() << "expected an error";
    } catch (const ExternalError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("cannot connect"), std::string::npos) << what;
        EXPECT_NE(what.find("postgresql:///none"), std::string::npos) << what;
    }
}

// Every process asks for 500 requests, overlapping its neighbours' by half, in opposite
// orders: each distinct request reaches the server exactly once.
void expect_each_request_sent_once(int processes) {
    constexpr int kPerProcess = 500, kStride = 250, kInFlight = 8;
    testing::FakeOpenAIServer server;
    server.set_reply_delay(1ms);
    std::string url = fresh_cache_url();
    PostgresCallCache(url).size();  // create the schema before the processes race
    std::vector<pid_t> pids;
    for (int p = 0; p < processes; ++p)
        pids.push_back(start_helper(server.base_url(), url, kPerProcess, kInFlight, p * kStride, p % 2 == 1));
    for (pid_t pid : pids) EXPECT_EQ(wait_exit_code(pid), 0);
    std::vector<std::string> texts = server.received_texts();
    std::set<std::string> distinct(texts.begin(), texts.end());
    int expected = kStride * (processes - 1) + kPerProcess;
    EXPECT_EQ(int(distinct.size()), expected);
    EXPECT_EQ(int(texts.size()), expected) << "a request was sent more than once";
    EXPECT_EQ(PostgresCallCache(url).size(), expected);
}

TEST(PostgresCache, TwoProcessesSendEachRequestOnce) {
    REQUIRE_CLUSTER();
    expect_each_request_sent_once(2);
}

TEST(PostgresCache, FourProcessesSendEachRequestOnce) {
    REQUIRE_CLUSTER();
    expect_each_request_sent_once(4);
}

TEST(PostgresCache, KilledProcessLosesNothingCommittedAndTheOthersFinish) {
    REQUIRE_CLUSTER();
    constexpr int kCount = 500, kInFlight = 8;
    testing::FakeOpenAIServer server;
    server.set_reply_delay(2ms);
    std::string url = fresh_cache_url("&lease_s=1");
    PostgresCallCache(url).size();
    // Two processes on the same 500 requests from opposite ends, and one on its own 100.
    pid_t victim = start_helper(server.base_url(), url, kCount, kInFlight, 0, false);
    pid_t partner = start_helper(server.base_url(), url, kCount, kInFlight, 0, true);
    pid_t other = start_helper(server.base_url(), url, 100, kInFlight, 1000, false);
    for (int waited = 0; server.good_replies() < 150 && waited < 20000; ++waited) std::this_thread::sleep_for(1ms);
    kill(victim, SIGKILL);
    ASSERT_EQ(wait_exit_code(victim), -SIGKILL) << "the victim ended before it was killed";
    // The survivors finish, taking over the victim's leases once they expire.
    EXPECT_EQ(wait_exit_code(partner), 0);
    EXPECT_EQ(wait_exit_code(other), 0);
    std::vector<std::string> texts = server.received_texts();
    EXPECT_EQ(std::set<std::string>(texts.begin(), texts.end()).size(), size_t(kCount + 100));
    // At most the victim's requests in flight were sent twice (answered, never committed).
    EXPECT_LE(int(texts.size()), kCount + 100 + kInFlight);

    // The victim's rerun: everything is committed now, nothing is sent.
    server.reset_counts();
    EXPECT_EQ(wait_exit_code(start_helper(server.base_url(), url, kCount, kInFlight)), 0);
    EXPECT_TRUE(server.received_texts().empty());
}

TEST(PostgresCache, RerunAfterSigkillSendsOnlyUncommittedRequests) {
    REQUIRE_CLUSTER();
    constexpr int kCount = 300, kInFlight = 4;
    testing::FakeOpenAIServer server;
    server.set_reply_delay(3ms);
    std::string url = fresh_cache_url("&lease_s=1");
    pid_t pid = start_helper(server.base_url(), url, kCount, kInFlight);
    for (int waited = 0; server.good_replies() < 60 && waited < 20000; ++waited) std::this_thread::sleep_for(1ms);
    kill(pid, SIGKILL);
    ASSERT_EQ(wait_exit_code(pid), -SIGKILL);
    int answered_before_kill = server.good_replies();
    std::set<std::string> uncommitted;
    int committed = 0;
    {
        PostgresCallCache cache(url);
        for (int i = 0; i < kCount; ++i) {
            if (cache.find(key_of(server.base_url(), i)))
                ++committed;
            else
                uncommitted.insert(testing::batch_request(i).messages.back().content);
        }
    }
    EXPECT_GE(committed, answered_before_kill - kInFlight);
    server.reset_counts();
    EXPECT_EQ(wait_exit_code(start_helper(server.base_url(), url, kCount, kInFlight)), 0);
    auto resent = server.received_texts();
    EXPECT_EQ(std::set<std::string>(resent.begin(), resent.end()), uncommitted);
    EXPECT_EQ(resent.size(), uncommitted.size()) << "a request was sent twice";
}

TEST(PostgresCache, LeaseOfAKilledHolderIsTakenOverAfterItExpires) {
    REQUIRE_CLUSTER();
    constexpr int kCount = 20, kExtra = 8;
    testing::FakeOpenAIServer server;
    // The holder's request of q0 hangs (shorter than the client's 10 s timeout); later ones
    // are answered at once.
    server.set_slow_delay(4s);
    server.set_fault_plan([](const std::string& text, int attempt) {
        return text == "q0" && attempt == 0 ? testing::Fault::slow : testing::Fault::none;
    });
    std::string url = fresh_cache_url("&lease_s=2");  // renewed every 0.67 s: a loaded machine does not lose it
    pid_t holder = start_helper(server.base_url(), url, kCount, 4);
    for (int waited = 0; server.good_replies() < kCount - 1 && waited < 20000; ++waited)
        std::this_thread::sleep_for(1ms);
    ASSERT_EQ(count_of(server.received_texts(), "q0"), 1);
    // The second process wants q0 first, then kExtra requests of its own: once those are
    // answered it has long been waiting on q0, whose lease the live holder keeps renewing.
    pid_t waiter = start_helper(server.base_url(), url, kCount + kExtra, 4, 0, false);
    for (int waited = 0; server.good_replies() < kCount - 1 + kExtra && waited < 20000; ++waited)
        std::this_thread::sleep_for(1ms);
    EXPECT_EQ(count_of(server.received_texts(), "q0"), 1) << "q0 was sent while its lease was held";
    auto killed_at = std::chrono::steady_clock::now();
    kill(holder, SIGKILL);
    ASSERT_EQ(wait_exit_code(holder), -SIGKILL);
    EXPECT_EQ(wait_exit_code(waiter), 0);
    auto arrivals = server.arrival_times("q0");
    ASSERT_EQ(arrivals.size(), 2u);
    EXPECT_GT(arrivals[1], killed_at) << "the waiter must take q0 over only after the holder died";
    EXPECT_TRUE(PostgresCallCache(url).find(key_of(server.base_url(), 0)));
}

}  // namespace
}  // namespace remask
