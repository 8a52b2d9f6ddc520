#include "llm/sqlite_call_cache.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "core/error.h"
#include "llm/postgres_call_cache.h"
#include "temp_dir.h"

namespace remask {
namespace {

ChatResponse answer(const std::string& text) {
    ChatResponse response;
    response.message = ChatMessage::of("assistant", text);
    response.finish_reason = "stop";
    response.usage = {10, 2};
    return response;
}

TEST(CallCache, StoresAndFindsAnswers) {
    testing::TempDir dir;
    SqliteCallCache cache(dir.file("sub/calls.sqlite"));  // the folder is created
    EXPECT_FALSE(cache.find("k1"));
    cache.store("k1", "m", answer("one"));
    auto hit = cache.find("k1");
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->message.content, "one");
    EXPECT_EQ(hit->usage.prompt_tokens, 10);
    EXPECT_TRUE(hit->cached);
    EXPECT_EQ(cache.size(), 1);
}

TEST(CallCache, AnswersSurviveReopeningAndAreSharedBetweenConnections) {
    testing::TempDir dir;
    std::string path = dir.file("calls.sqlite");
    {
        SqliteCallCache writer(path);
        SqliteCallCache reader(path);  // a second connection, as another process would have
        writer.store("k", "m", answer("kept"));
        ASSERT_TRUE(reader.find("k"));
    }
    SqliteCallCache again(path);
    ASSERT_TRUE(again.find("k"));
    EXPECT_EQ(again.find("k")->message.content, "kept");
}

TEST(CallCache, ManyThreadsAndTwoConnectionsWriteWithoutLosingRows) {
    testing::TempDir dir;
    std::string path = dir.file("calls.sqlite");
    SqliteCallCache first(path), second(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t)
        threads.emplace_back([&, t] {
            SqliteCallCache& cache = (t % 2) ? first : second;
            for (int i = 0; i < 100; ++i) {
                std::string key = std::to_string(t) + "-" + std::to_string(i);
                cache.store(key, "m", answer("x" + key));
                // Grouped commits still return only after the row's own commit.
                auto hit = cache.find(key);
                ASSERT_TRUE(hit) << key;
                ASSERT_EQ(hit->message.content, "x" + key);
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(first.size(), 1600);
}

TEST(CallCache, OpenSharedGivesOneObjectPerPath) {
    testing::TempDir dir;
    auto a = CallCache::open_shared(dir.file("c.sqlite"));
    auto b = CallCache::open_shared(dir.file("./c.sqlite"));
    EXPECT_EQ(a.get(), b.get());
}

TEST(CallCache, UnreadableRowIsAMiss) {
    testing::TempDir dir;
    SqliteCallCache cache(dir.file("c.sqlite"));
    // Written by hand, as a broken or future version might.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("c.sqlite").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    ASSERT_EQ(sqlite3_exec(db, "INSERT INTO calls VALUES ('bad', 'm', '{not json', 0)", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    EXPECT_FALSE(cache.find("bad"));
}

TEST(CallCache, DefaultPathHonoursRemaskCache) {
    const char* old = std::getenv("REMASK_CACHE");
    std::string saved = old ? old : "";
    setenv("REMASK_CACHE", "/tmp/elsewhere.sqlite", 1);
    EXPECT_EQ(default_cache_path(), "/tmp/elsewhere.sqlite");
    unsetenv("REMASK_CACHE");
    EXPECT_NE(default_cache_path().find(".cache/remask/calls.sqlite"), std::string::npos);
    if (old) setenv("REMASK_CACHE", saved.c_str(), 1);
}

TEST(CallCache, UnwritablePathIsOneClearError) {
    try {
        SqliteCallCache cache("/proc/remask-cannot-write-here/calls.sqlite");
        FAIL() << "expected an error";
    } catch (const std::exception& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("/proc/remask-cannot-write-here/calls.sqlite"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos);
    }
}

// $REMASK_CACHE reaches open_shared() without the config's checks: it makes the same ones.
TEST(CallCache, UrlsAreNeverTakenForFilePaths) {
    testing::TempDir dir;
    auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.file(""));
    EXPECT_THROW(CallCache::open_shared("mysql://db/remask"), InputError);
    try {
        CallCache::open_shared("postgresql://alice:s3cret@db/remask");
        ADD_FAILURE() << "a password in the URL should be refused";
    } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()).find("s3cret"), std::string::npos) << e.what();
    }
    EXPECT_THROW(postgres_conninfo("postgresql:///remask?password=x", "cache", nullptr), InputError);
    EXPECT_THROW(postgres_conninfo("postgresql:///remask?lease_s=abc", "cache", nullptr), InputError);
    EXPECT_THROW(postgres_conninfo("postgresql:///remask?bogus_option=1", "cache", nullptr), InputError);
    double lease_s = 0;
    EXPECT_EQ(postgres_conninfo("postgresql:///remask?host=/tmp&lease_s=2.5&port=5433", "cache", &lease_s),
              "postgresql:///remask?host=/tmp&port=5433");
    EXPECT_DOUBLE_EQ(lease_s, 2.5);
    EXPECT_TRUE(std::filesystem::is_empty(dir.file(""))) << "a URL must not become a folder";
    std::filesystem::current_path(cwd);
}

}  // namespace
}  // namespace remask
