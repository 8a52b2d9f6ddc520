// The review page's JSON API over a small hand-made run directory: what it reads, what it
// appends to feedback.jsonl, and how it answers bad or hostile requests (INTERFACES.md
// "remask review"; docs/review.md).

#include "review/review_app.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "core/settings.h"
#include "optimize/feedback.h"
#include "optimize/feedback_log.h"
#include "optimize/journal_memo.h"
#include "optimize/prompt_text.h"
#include "optimize/run_directory.h"
#include "review/pending_review.h"

namespace remask::review {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const std::string kHostile =
    "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";

std::string make_dir(const std::string& name) {
    fs::path dir =
        fs::temp_directory_path() / ("remask-review-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

std::vector<json> read_lines(const std::string& path) { return optimize::read_jsonl(path, false); }

// A finished run: c0 scored on two validation examples and one minibatch example, a child
// c1_0 that was worse, and a test trace that must never be shown.
std::string make_run(const std::string& name) {
    const std::string dir = make_dir(name);
    Settings s;
    s.task.name = "jsonl";
    std::ofstream(dir + "/config.toml") << settings_to_toml(s);
    const std::string p0 = "Answer briefly.", p1 = "Answer in one word.";
    const std::string k0 = optimize::prompt_key(optimize::render_for_target(p0));
    const std::string k1 = optimize::prompt_key(optimize::render_for_target(p1));
    auto trace = [](const std::string& id, const std::string& reply, double score) {
        return json{{"id", id},          {"input", "input of " + id},
                    {"expected", "yes"}, {"reply", reply},
                    {"score", score},    {"feedback", ""}};
    };
    std::ofstream events(dir + "/events.jsonl");
    events << json{{"event", "start"}, {"initial_prompt", p0}}.dump() << "\n"
           << json{{"event", "eval"},
                   {"phase", "val"},
                   {"candidate", "c0"},
                   {"prompt_hash", k0},
                   {"traces", {trace("val-1", kHostile, 0.0), trace("val-2", "yes", 1.0)}}}
                  .dump()
           << "\n"
           << json{{"event", "candidate"}, {"iteration", 0}, {"id", "c0"}, {"val", 0.5}}.dump()
           << "\n"
           << json{{"event", "best"},
                   {"iteration", 0},
                   {"candidate", "c0"},
                   {"val", 0.5},
                   {"target_calls", 2}}
                  .dump()
           << "\n"
           << json{{"event", "eval"},
                   {"phase", "parent"},
                   {"candidate", "c0"},
                   {"prompt_hash", k0},
                   {"traces", {trace("train-4", "no", 0.0)}}}
                  .dump()
           << "\n"
           << json{{"event", "eval"},
                   {"phase", "child"},
                   {"candidate", "c1_0"},
                   {"prompt_hash", k1},
                   {"traces", {trace("train-4", "no", 0.0)}}}
                  .dump()
           << "\n"
           << json{{"event", "eval"},
                   {"phase", "test"},
                   {"candidate", "c0"},
                   {"prompt_hash", k0},
                   {"traces", {trace("test-1", "held out", 1.0)}}}
                  .dump()
           << "\n";
    std::ofstream candidates(dir + "/candidates.jsonl");
    candidates
        << json{{"id", "c0"},   {"parent", nullptr},      {"iteration", 0},
                {"prompt", p0}, {"spans", json::array()}, {"decision", "initial"},
                {"val", 0.5}}
               .dump()
        << "\n"
        << json{{"id", "c1_0"},
                {"parent", "c0"},
                {"iteration", 1},
                {"prompt", p1},
                {"spans",
                 {{{"start", 7}, {"end", 19}, {"before", "briefly."}, {"after", "in one word."}}}},
                {"decision", "worse"},
                {"minibatch_score", 0.0}}
               .dump()
        << "\n";
    std::ofstream(dir + "/checkpoint.json")
        << json{{"next_iteration", 2},      {"finished", true}, {"stop_reason", "target_calls"},
                {"spent", {{"target", 4}}}, {"wall_s", 1.5},    {"pool", json::array()}}
               .dump();
    return dir;
}

// A ReviewApp on a free loopback port, served by a thread for the test's lifetime.
struct Served {
    ReviewApp app;
    std::thread thread;
    int port;
    Served(const std::string& dir, ReviewOptions o, PendingReview* pending = nullptr)
        : app(dir, (o.port = 0, o), pending), port(app.bind()) {
        thread = std::thread([this] { app.run(); });
    }
    ~Served() {
        app.stop();
        thread.join();
    }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port);
        c.set_read_timeout(30, 0);
        return c;
    }
};

httplib::Result post(httplib::Client& c, const std::string& path, const json& body,
                     const httplib::Headers& headers = {}) {
    return c.Post(path.c_str(), headers, body.dump(), "application/json");
}

void expect_error(const httplib::Result& r, int status) {
    ASSERT_TRUE(r) << "no answer";
    EXPECT_EQ(r->status, status) << r->body;
    json body = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(body.contains("error") && body["error"]["message"].is_string()) << r->body;
}

TEST(ReviewApp, ReadsTheRunCandidatesAndExamples) {
    const std::string dir = make_run("read");
    Served s(dir, {});
    httplib::Client c = s.client();
    auto run = c.Get("/api/run");
    ASSERT_TRUE(run);
    ASSERT_EQ(run->status, 200);
    json r = json::parse(run->body);
    EXPECT_EQ(r["task"], "jsonl");
    EXPECT_EQ(r["finished"], true);
    EXPECT_EQ(r["live"], false);
    EXPECT_EQ(r["stop_reason"], "target_calls");
    EXPECT_EQ(r["best"]["candidate"], "c0");
    EXPECT_EQ(r["budget"]["target"]["used"], 4);
    EXPECT_EQ(r["series"].size(), 1u);

    json candidates = json::parse(c.Get("/api/candidates")->body);
    ASSERT_EQ(candidates.size(), 2u);
    EXPECT_EQ(candidates[1]["id"], "c1_0");
    EXPECT_EQ(candidates[1]["edits"][0]["after"], "in one word.");

    json examples = json::parse(c.Get("/api/candidates/c0/examples")->body);
    std::set<std::string> ids;
    for (const json& e : examples["examples"]) ids.insert(e["id"].get<std::string>());
    EXPECT_EQ(ids, (std::set<std::string>{"val-1", "val-2", "train-4"})) << "never the test split";
    EXPECT_EQ(examples["examples"][0]["reply"], kHostile) << "JSON carries the text as it is";
    json child = json::parse(c.Get("/api/candidates/c1_0/examples")->body);
    EXPECT_EQ(child["examples"][0]["phase"], "minibatch");
    expect_error(c.Get("/api/candidates/c9_9/examples"), 404);
    EXPECT_EQ(json::parse(c.Get("/api/pending")->body)["waiting"], false);
}

TEST(ReviewApp, ServesTheEmbeddedPageWithAStrictPolicy) {
    Served s(make_run("page"), {});
    httplib::Client c = s.client();
    auto page = c.Get("/");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_NE(page->body.find("/review.js"), std::string::npos);
    EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
    auto script = c.Get("/review.js");
    ASSERT_TRUE(script);
    EXPECT_NE(script->body.find("textContent"), std::string::npos);
    EXPECT_EQ(script->body.find("innerHTML"), std::string::npos) << "run data never becomes markup";
    expect_error(c.Get("/nothing.js"), 404);
}

TEST(ReviewApp, FeedbackIsAppendedWithAuthorAndTime) {
    const std::string dir = make_run("feedback");
    Served s(dir, {});
    httplib::Client c = s.client();
    auto ok = post(c, "/api/feedback",
                   {{"id", "val-1"},
                    {"score", 1},
                    {"comment", "the answer is right"},
                    {"candidate", "c0"},
                    {"author", "ana"}});
    ASSERT_TRUE(ok);
    ASSERT_EQ(ok->status, 201) << ok->body;
    ASSERT_EQ(post(c, "/api/feedback", {{"note", "be brief"}, {"author", "bo"}})->status, 201);
    std::vector<json> lines = read_lines(dir + "/feedback.jsonl");
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["id"], "val-1");
    EXPECT_EQ(lines[0]["score"], 1.0);
    EXPECT_EQ(lines[0]["comment"], "the answer is right");
    EXPECT_EQ(lines[0]["author"], "ana");
    EXPECT_EQ(lines[0]["time"].get<std::string>().size(), 20u);
    EXPECT_EQ(lines[1]["note"], "be brief");
    // The file is a valid --feedback file for a new run.
    optimize::FeedbackBook book = optimize::FeedbackBook::load(dir + "/feedback.jsonl");
    EXPECT_EQ(book.notes(), "be brief");
    json examples = json::parse(c.Get("/api/candidates/c0/examples")->body);
    EXPECT_EQ(examples["examples"][0]["reviews"].size(), 1u);
}

TEST(ReviewApp, BadRequestsGetTheRightStatusAndWriteNothing) {
    const std::string dir = make_run("bad");
    Served s(dir, {});
    httplib::Client c = s.client();
    expect_error(post(c, "/api/feedback", {{"id", "val-1"}, {"score", 1.5}, {"comment", "x"}}),
                 400);
    expect_error(post(c, "/api/feedback", {{"id", "val-1"}, {"score", -0.1}, {"comment", "x"}}),
                 400);
    expect_error(post(c, "/api/feedback", {{"id", "val-1"}, {"score", 1}}), 400);  // no reason
    expect_error(post(c, "/api/feedback", {{"id", "nope"}, {"comment", "x"}}), 404);
    expect_error(post(c, "/api/feedback", {{"id", "test-1"}, {"comment", "x"}}), 404);  // held out
    expect_error(post(c, "/api/feedback", {{"id", "val-1"}, {"comment", "x"}, {"candidate", "c7"}}),
                 404);
    expect_error(post(c, "/api/feedback", {{"id", "val-1"}, {"comment", "x"}, {"extra", 1}}), 400);
    expect_error(c.Post("/api/feedback", "{not json", "application/json"), 400);
    expect_error(c.Post("/api/feedback", "id=val-1", "application/x-www-form-urlencoded"), 415);
    expect_error(post(c, "/api/feedback", {{"note", std::string(200000, 'x')}}), 413);
    expect_error(post(c, "/api/decision", {{"action", "continue"}}), 409);  // a finished run
    // Another origin or site may not change anything.
    expect_error(post(c, "/api/feedback", {{"note", "x"}}, {{"Origin", "http://evil.example"}}),
                 403);
    expect_error(post(c, "/api/feedback", {{"note", "x"}}, {{"Sec-Fetch-Site", "cross-site"}}),
                 403);
    expect_error(c.Get("/api/run", {{"Host", "evil.example:8090"}}), 403);
    EXPECT_FALSE(fs::exists(dir + "/feedback.jsonl"));
    // The server still answers.
    EXPECT_EQ(c.Get("/api/run")->status, 200);
}

TEST(ReviewApp, AKeyGuardsTheApiButNotThePage) {
    ReviewOptions o;
    o.api_key = "sesame";
    Served s(make_run("key"), o);
    httplib::Client c = s.client();
    expect_error(c.Get("/api/run"), 401);
    expect_error(post(c, "/api/feedback", {{"note", "x"}}), 401);
    expect_error(c.Get("/api/run", {{"Authorization", "Bearer wrong"}}), 401);
    EXPECT_EQ(c.Get("/api/run", {{"Authorization", "Bearer sesame"}})->status, 200);
    EXPECT_EQ(c.Get("/")->status, 200) << "the page itself holds no run data";
}

TEST(ReviewApp, TwoConcurrentWritersLeaveWholeLines) {
    const std::string dir = make_run("concurrent");
    Served s(dir, {});
    auto writer = [&](const std::string& who) {
        httplib::Client c = s.client();
        for (int i = 0; i < 200; ++i) {
            auto r = post(c, "/api/feedback",
                          {{"id", "val-2"},
                           {"comment", who + " " + std::to_string(i) + std::string(300, 'x')},
                           {"author", who}});
            ASSERT_TRUE(r);
            ASSERT_EQ(r->status, 201) << r->body;
        }
    };
    std::thread a(writer, "ana"), b(writer, "bo");
    a.join();
    b.join();
    std::ifstream in(dir + "/feedback.jsonl");
    std::string line;
    std::map<std::string, int> per_author;
    int lines = 0;
    while (std::getline(in, line)) {
        ++lines;
        json j = json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << "torn line " << lines;
        ++per_author[j["author"].get<std::string>()];
    }
    EXPECT_EQ(lines, 400);
    EXPECT_EQ(per_author["ana"], 200);
    EXPECT_EQ(per_author["bo"], 200);
}

// O_APPEND with one write per line holds across processes too (a second `remask review`).
TEST(FeedbackLog, TwoProcessesAppendingLeaveWholeLines) {
    const std::string path = make_dir("processes") + "/feedback.jsonl";
    std::vector<pid_t> children;
    for (int w = 0; w < 2; ++w) {
        pid_t pid = ::fork();
        if (pid == 0) {
            for (int i = 0; i < 200; ++i)
                optimize::append_feedback_line(
                    path,
                    {{"id", "x"}, {"comment", std::string(5000, static_cast<char>('a' + w))}});
            ::_exit(0);
        }
        children.push_back(pid);
    }
    for (pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        EXPECT_EQ(WEXITSTATUS(status), 0);
    }
    std::vector<json> lines = read_lines(path);
    ASSERT_EQ(lines.size(), 400u);
    for (const json& j : lines) {
        const std::string c = j["comment"];
        EXPECT_EQ(c.find_first_not_of(c[0]), std::string::npos) << "a line mixes two writers";
    }
}

TEST(ReviewApp, ALiveRunWaitsForTheDecision) {
    const std::string dir = make_run("live");
    PendingReview pending;
    Served s(dir, {}, &pending);
    optimize::ReviewView view;
    view.iteration = 3;
    view.parent_id = "c0";
    view.children = {{"c3_0", "p0", {}, 0.5}, {"c3_1", "p1", {}, 0.75}};
    optimize::ReviewDecision decision;
    std::thread loop([&] { decision = pending.wait_for_decision(view, [] { return false; }); });
    httplib::Client c = s.client();
    // Wait (for the condition, not a time) until the page sees the iteration.
    for (int tries = 0; !json::parse(c.Get("/api/pending")->body)["waiting"].get<bool>(); ++tries)
        ASSERT_LT(tries, 100000) << "the loop never published its children";
    expect_error(post(c, "/api/decision", {{"action", "veto"}, {"child", "c9_9"}}), 404);
    expect_error(post(c, "/api/decision", {{"action", "maybe"}}), 400);
    expect_error(post(c, "/api/decision", {{"action", "veto"}}), 400);
    auto veto =
        post(c, "/api/decision", {{"action", "veto"}, {"child", "c3_1"}, {"author", "ana"}});
    ASSERT_EQ(veto->status, 200) << veto->body;
    EXPECT_EQ(json::parse(veto->body)["children"][1]["vetoed"], true);
    ASSERT_EQ(post(c, "/api/decision", {{"action", "pick"}, {"child", "c3_0"}})->status, 200);
    ASSERT_EQ(post(c, "/api/decision", {{"action", "continue"}})->status, 200);
    loop.join();
    EXPECT_EQ(decision.vetoed, std::vector<std::string>{"c3_1"});
    EXPECT_EQ(decision.picked, "c3_0");
    EXPECT_FALSE(decision.stop);
    expect_error(post(c, "/api/decision", {{"action", "continue"}}), 409);
    std::vector<json> lines = read_lines(dir + "/feedback.jsonl");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["decision"], "veto");
    EXPECT_EQ(lines[0]["child"], "c3_1");
    EXPECT_EQ(lines[0]["iteration"], 3);
    EXPECT_EQ(lines[0]["author"], "ana");
    EXPECT_EQ(lines[2]["decision"], "continue");
}

TEST(ReviewApp, AWaitEndsOnInterruptWithoutADecision) {
    PendingReview pending;
    optimize::ReviewView view;
    view.children = {{"c1_0", "p", {}, 0.5}};
    EXPECT_ANY_THROW(pending.wait_for_decision(view, [] { return true; }));
    EXPECT_FALSE(pending.waiting());
}

}  // namespace
}  // namespace remask::review
