// The webhook and exec scorers against a fake scorer on loopback and a Python script:
// request shape, reply parsing, retries on every documented fault, the clear error after
// them, the score cache and its key.
#include "tasks/scorer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "core/error.h"
#include "core/settings.h"
#include "fake_scorer_server.h"
#include "temp_dir.h"

namespace remask {
namespace {

using testing::FakeScorerServer;
using testing::fresh_dir;
using testing::ScorerFault;
using testing::write_file;

Example example(const std::string& id, double w = 0.0) {
    Example e;
    e.id = id;
    e.split = "dev";
    e.input = "question " + id;
    e.expected = "ref " + id;
    e.extra = {{"w", w}, {"topic", "fruit"}};
    return e;
}

ScorerSettings webhook_settings(const FakeScorerServer& server) {
    ScorerSettings s;
    s.url = server.url();
    s.timeout_s = 0.5;
    s.max_retries = 2;
    s.max_in_flight = 4;
    return s;
}

ScorerOptions options_in(const std::filesystem::path& dir, bool cache = true) {
    ScorerOptions o;
    o.cache_path = (dir / "calls.sqlite").string();
    o.use_cache = cache;
    o.backoff_base_s = 0.01;
    return o;
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const ExternalError& e) {
        return e.what();
    }
    return "";
}

TEST(ScorerReply, PassScoreAndReasonAreReadAndBadRepliesSayWhy) {
    std::string why;
    auto v = parse_scorer_reply(R"({"pass": true, "reason": "fine"})", &why);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->score, 1.0);
    EXPECT_EQ(v->reason, "fine");
    v = parse_scorer_reply(R"({"pass": false})", &why);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->score, 0.0);
    v = parse_scorer_reply(R"({"pass": false, "score": 0.25})", &why);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->score, 0.25);
    v = parse_scorer_reply(R"({"score": 0.75})", &why);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->pass);
    for (const char* bad : {R"({"reason": "x"})", "{\"pass\": tru", "[1]", R"({"pass": "yes"})",
                            R"({"score": 1.5})", R"({"pass": null})"}) {
        why.clear();
        EXPECT_FALSE(parse_scorer_reply(bad, &why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
    }
}

TEST(ScorerRequest, IsPromptfoosWebhookShapeWithTheExampleFields) {
    Example e = example("q1", 0.5);
    nlohmann::json r = scorer_request("Be brief.", e, "an answer");
    EXPECT_EQ(r["output"], "an answer");
    EXPECT_EQ(r["context"]["prompt"], "Be brief.");
    EXPECT_EQ(r["context"]["vars"]["input"], "question q1");
    EXPECT_EQ(r["context"]["vars"]["expected"], "ref q1");
    EXPECT_EQ(r["context"]["vars"]["id"], "q1");
    EXPECT_EQ(r["context"]["vars"]["topic"], "fruit");
    e.has_expected = false;
    e.messages = nlohmann::json::array({{{"role", "user"}, {"content", "hi"}}});
    r = scorer_request("", e, "x");
    EXPECT_FALSE(r["context"]["vars"].contains("expected"));
    EXPECT_FALSE(r["context"]["vars"].contains("input"));
    EXPECT_EQ(r["context"]["vars"]["messages"][0]["content"], "hi");
}

TEST(WebhookScorer, ReturnsExactlyWhatTheScorerSaid) {
    const auto dir = fresh_dir();
    FakeScorerServer server("banana");
    auto scorer = make_scorer("webhook", webhook_settings(server), options_in(dir, false));
    Scored s = scorer->score("P", example("a", 0.125), "no fruit");
    EXPECT_EQ(s.score, 0.125);
    EXPECT_EQ(s.parsed, "fail");
    EXPECT_EQ(s.feedback, "lacks banana");
    s = scorer->score("P", example("b", 0.125), "a Banana!");
    EXPECT_EQ(s.score, 1.0);
    EXPECT_EQ(s.feedback, "has banana");
    EXPECT_EQ(server.last_request()["context"]["prompt"], "P");
    EXPECT_EQ(scorer->calls(), 2);
}

TEST(WebhookScorer, SendsTheBearerKeyFromTheNamedVariable) {
    const auto dir = fresh_dir();
    FakeScorerServer server("banana");
    ScorerSettings s = webhook_settings(server);
    s.api_key_env = "REMASK_TEST_SCORER_KEY";
    unsetenv("REMASK_TEST_SCORER_KEY");
    EXPECT_THROW(make_scorer("webhook", s, options_in(dir, false)), InputError);
    setenv("REMASK_TEST_SCORER_KEY", "sekret", 1);
    make_scorer("webhook", s, options_in(dir, false))->score("", example("a"), "x");
    EXPECT_EQ(server.last_authorization(), "Bearer sekret");
}

class WebhookFault : public ::testing::TestWithParam<ScorerFault> {};

TEST_P(WebhookFault, IsRetriedThenNamesTheExample) {
    const auto dir = fresh_dir();
    FakeScorerServer server("banana");
    const ScorerFault fault = GetParam();
    server.set_fault_plan([fault](const nlohmann::json& request, int attempt) {
        const std::string id = testing::example_id(request);
        if (id == "flaky") return attempt == 0 ? fault : ScorerFault::none;
        return id == "broken" ? fault : ScorerFault::none;
    });
    auto scorer = make_scorer("webhook", webhook_settings(server), options_in(dir, false));
    EXPECT_EQ(scorer->score("", example("flaky"), "banana").score, 1.0);
    EXPECT_EQ(server.requests(), 2);
    const std::string error = error_of([&] { scorer->score("", example("broken"), "banana"); });
    EXPECT_NE(error.find("example broken"), std::string::npos) << error;
    EXPECT_NE(error.find("after 3 attempts"), std::string::npos) << error;
    EXPECT_EQ(server.requests(), 2 + 3);
}

INSTANTIATE_TEST_SUITE_P(Faults, WebhookFault,
                         ::testing::Values(ScorerFault::status_500, ScorerFault::slow,
                                           ScorerFault::bad_json, ScorerFault::no_pass),
                         [](const auto& info) {
                             switch (info.param) {
                                 case ScorerFault::status_500:
                                     return std::string("status_500");
                                 case ScorerFault::slow:
                                     return std::string("timeout");
                                 case ScorerFault::bad_json:
                                     return std::string("bad_json");
                                 case ScorerFault::no_pass:
                                     return std::string("pass_missing");
                                 default:
                                     return std::string("other");
                             }
                         });

TEST(WebhookScorer, A404IsNotRetried) {
    const auto dir = fresh_dir();
    FakeScorerServer server("banana");
    server.set_fault_plan([](const nlohmann::json&, int) { return ScorerFault::status_404; });
    auto scorer = make_scorer("webhook", webhook_settings(server), options_in(dir, false));
    const std::string error = error_of([&] { scorer->score("", example("q7"), "x"); });
    EXPECT_NE(error.find("example q7: HTTP status 404"), std::string::npos) << error;
    EXPECT_EQ(server.requests(), 1);
}

TEST(WebhookScorer, CachedScoresAreReusedUnlessCacheIsOff) {
    const auto dir = fresh_dir();
    FakeScorerServer server("banana");
    auto cached = make_scorer("webhook", webhook_settings(server), options_in(dir));
    EXPECT_EQ(cached->score("P", example("a", 0.5), "x").score, 0.5);
    auto again = make_scorer("webhook", webhook_settings(server), options_in(dir));
    EXPECT_EQ(again->score("P", example("a", 0.5), "x").score, 0.5);
    EXPECT_EQ(server.requests(), 1);
    EXPECT_EQ(again->calls(), 0);
    EXPECT_EQ(again->cache_hits(), 1);
    again->score("Another prompt", example("a", 0.5), "x");  // another request: not a hit
    EXPECT_EQ(server.requests(), 2);
    ScorerSettings off = webhook_settings(server);
    off.cache = false;
    make_scorer("webhook", off, options_in(dir))->score("P", example("a", 0.5), "x");
    EXPECT_EQ(server.requests(), 3);
}

ScorerSettings exec_settings(const std::filesystem::path& dir, int64_t workers = 2) {
    ScorerSettings s;
    s.command = {"python3", write_file(dir / "score.py", testing::word_scorer_script("banana"))};
    s.timeout_s = 2;
    s.max_retries = 2;
    s.max_in_flight = workers;
    return s;
}

TEST(ExecScorer, ReturnsExactlyWhatTheScriptSaid) {
    const auto dir = fresh_dir();
    auto scorer = make_scorer("exec", exec_settings(dir), options_in(dir, false));
    EXPECT_EQ(scorer->score("P", example("a", 0.375), "no fruit").score, 0.375);
    Scored s = scorer->score("P", example("b"), "BANANA");
    EXPECT_EQ(s.score, 1.0);
    EXPECT_EQ(s.feedback, "has banana");
    EXPECT_EQ(scorer->calls(), 2);
}

TEST(ExecScorer, CrashGarbageAndHangAreRetriedOnAFreshWorker) {
    const auto dir = fresh_dir();
    auto scorer = make_scorer("exec", exec_settings(dir), options_in(dir, false));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(scorer->score("", example("c", 0.25), "CRASH").score, 0.25);
    EXPECT_EQ(scorer->score("", example("g", 0.25), "GARBAGE banana").score, 1.0);
    EXPECT_EQ(scorer->score("", example("h", 0.25), "HANG").score, 0.25);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(seconds, 15.0) << "the hung worker is killed after timeout_s, not waited for";
    for (const char* marker : {"crash-c", "garbage-g", "hang-h"})
        EXPECT_TRUE(std::filesystem::exists(dir / marker)) << marker << ": the fault did happen";
    const std::string error = error_of([&] { scorer->score("", example("z"), "ALWAYS-GARBAGE"); });
    EXPECT_NE(error.find("example z"), std::string::npos) << error;
    EXPECT_NE(error.find("after 3 attempts"), std::string::npos) << error;
    EXPECT_EQ(scorer->score("", example("after"), "banana").score, 1.0) << "the scorer still works";
}

TEST(ExecScorer, AMissingProgramIsOneClearLine) {
    const auto dir = fresh_dir();
    ScorerSettings s;
    s.command = {"/nonexistent/scorer-program"};
    auto scorer = make_scorer("exec", s, options_in(dir, false));
    try {
        scorer->score("", example("a"), "x");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/scorer-program"), std::string::npos)
            << e.what();
    }
}

TEST(ExecScorer, AReplyLineWithoutEndIsCutAtItsBoundNotBuffered) {
    const auto dir = fresh_dir();
    ScorerSettings s;
    // Answers every request with 3 MiB and no newline, then waits.
    s.command = {"python3", write_file(dir / "flood.py",
                                       "import sys, time\n"
                                       "for line in sys.stdin:\n"
                                       "    sys.stdout.write('x' * (3 << 20)); sys.stdout.flush(); time.sleep(30)\n")};
    s.timeout_s = 20;
    s.max_retries = 1;
    auto scorer = make_scorer("exec", s, options_in(dir, false));
    const std::string error = error_of([&] { scorer->score("", example("f"), "x"); });
    EXPECT_NE(error.find("example f"), std::string::npos) << error;
    EXPECT_NE(error.find("longer than 1048576 bytes"), std::string::npos) << error;
}

TEST(ExecScorer, AChangedScriptIsNotServedStaleScores) {
    const auto dir = fresh_dir();
    ScorerSettings s = exec_settings(dir);
    EXPECT_EQ(make_scorer("exec", s, options_in(dir))->score("", example("a", 0.5), "x").score,
              0.5);
    EXPECT_EQ(make_scorer("exec", s, options_in(dir))->cache_hits(), 0);
    auto same = make_scorer("exec", s, options_in(dir));
    EXPECT_EQ(same->score("", example("a", 0.5), "x").score, 0.5);
    EXPECT_EQ(same->cache_hits(), 1) << "the unchanged script's score comes from the cache";
    write_file(dir / "score.py", testing::word_scorer_script("x"));  // now "x" passes
    auto edited = make_scorer("exec", s, options_in(dir));
    EXPECT_EQ(edited->score("", example("a", 0.5), "x").score, 1.0);
    EXPECT_EQ(edited->cache_hits(), 0);
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

TEST(ScorerSettings, TheTableIsReadCheckedAndWrittenBack) {
    const std::string base = "[task]\nname = \"jsonl\"\ndata = \"d.jsonl\"\nmetric = \"exec\"\n";
    Settings s = parse_settings(
        base + "[scorer]\ncommand = [\"python3\", \"s.py\"]\ntimeout_s = 5\ncache = false\n",
        "a.toml");
    EXPECT_EQ(s.scorer.command, (std::vector<std::string>{"python3", "s.py"}));
    EXPECT_EQ(s.scorer.timeout_s, 5);
    EXPECT_FALSE(s.scorer.cache);
    const Settings again = parse_settings(settings_to_toml(s), "b.toml");
    EXPECT_EQ(again.scorer.command, s.scorer.command);
    EXPECT_FALSE(again.scorer.cache);
    auto message = [&](const std::string& text) {
        try {
            parse_settings(text, "a.toml");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_NE(message(base).find("[scorer] command"), std::string::npos) << message(base);
    EXPECT_NE(message(base + "[scorer]\ncommand = [\"x\"]\nretries = 1\n").find("retries"),
              std::string::npos);
    EXPECT_NE(
        message(base + "[scorer]\ncommand = [\"x\"]\nmax_in_flight = 0\n").find("max_in_flight"),
        std::string::npos);
    EXPECT_NE(message(base + "[scorer]\ncommand = [\"x\"]\nurl = \"http://a\"\n").find("not both"),
              std::string::npos);
}

}  // namespace
}  // namespace remask
