// `remask review` and `--review-web` on the command line: usage errors before anything
// listens or is written, and a non-loopback page that needs its key (401, JSON) and keeps
// answering after bad requests.

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "background_process.h"
#include "run_command.h"

namespace remask::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A run directory as a crashed run leaves it: a config and nothing else yet.
std::string bare_run(const TempDir& tmp) {
    fs::path run = tmp.dir / "run";
    fs::create_directories(run);
    std::ofstream(run / "config.toml") << "[task]\nname = \"sst2\"\n";
    return run.string();
}

TEST(ReviewCli, NotARunDirectoryIsAUsageError) {
    TempDir tmp;
    CommandResult r = run_remask({"review", (tmp.dir / "nothing").string()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("remask: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("not a run directory"), std::string::npos) << r.err;
}

TEST(ReviewCli, AnotherHostWithoutAKeyIsRefused) {
    TempDir tmp;
    CommandResult r = run_remask({"review", bare_run(tmp), "--host", "0.0.0.0"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--api-key-env"), std::string::npos) << r.err;
}

TEST(ReviewCli, WebReviewWithoutThePageIsRefusedBeforeAnythingIsWritten) {
    TempDir tmp;
    std::ofstream(tmp.dir / "prompt.txt") << "Say positive or negative.";
    std::ofstream(tmp.dir / "run.toml")
        << "[task]\nname = \"sst2\"\n[optimizer]\nreview = \"web\"\nprompt = \""
        << (tmp.dir / "prompt.txt").string() << "\"\n[budget]\ntarget_calls = 10\n";
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask(
        {"optimize", (tmp.dir / "run.toml").string(), "--yes", "--run-dir", run.string()});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--review-web"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(run));
    CommandResult bad =
        run_remask({"optimize", (tmp.dir / "run.toml").string(), "--yes", "--review-web", "80000"});
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST(ReviewCli, ANonLoopbackPageNeedsItsKeyAndSurvivesBadRequests) {
    TempDir tmp;
    ::setenv("REMASK_TEST_REVIEW_KEY", "open-sesame", 1);
    BackgroundRemask server(
        {"review", bare_run(tmp), "--host", "0.0.0.0", "--api-key-env", "REMASK_TEST_REVIEW_KEY"});
    httplib::Client c("127.0.0.1", server.port());
    c.set_read_timeout(30, 0);
    auto no_key = c.Get("/api/run");
    ASSERT_TRUE(no_key);
    EXPECT_EQ(no_key->status, 401);
    EXPECT_TRUE(json::parse(no_key->body)["error"]["message"].is_string()) << no_key->body;
    EXPECT_EQ(c.Get("/")->status, 200) << "the page loads and asks for the key";
    const httplib::Headers key = {{"Authorization", "Bearer open-sesame"}};
    auto huge = c.Post("/api/feedback", key, std::string(300000, 'x'), "application/json");
    ASSERT_TRUE(huge);
    EXPECT_EQ(huge->status, 413);
    httplib::Client again("127.0.0.1", server.port());
    auto unknown =
        again.Post("/api/feedback", key, R"({"id": "val-1", "comment": "x"})", "application/json");
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404) << unknown->body;
    auto run = again.Get("/api/run", key);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->status, 200);
    EXPECT_EQ(json::parse(run->body)["task"], "sst2");
    EXPECT_EQ(server.stop(), 0);
}

}  // namespace
}  // namespace remask::testing
