// RUN_DIR/feedback.jsonl (the review page's file) is read at the start of every iteration:
// notes reach the proposer's context, example remarks the traces, decisions are skipped,
// and the journal's feedback event makes a resumed run take the same lines.

#include <gtest/gtest.h>

#include <fstream>

#include "fakes.h"
#include "optimize/feedback_log.h"
#include "optimize/optimizer.h"
#include "optimize/prompt_text.h"

namespace remask::optimize {
namespace {

using testing::FakeEvaluator;
using testing::FakeInfiller;
using testing::temp_dir;

const std::string kFeedbackPrompt = "You are a sentiment classifier. Read the review and reply briefly.";
const std::string kNote = "Prefer one-word answers, said the expert.";

Settings dlm_settings() {
    Settings s;
    s.optimizer.proposer = "dlm";
    s.optimizer.candidates = 2;
    s.optimizer.minibatch = 4;
    s.budget.target_calls = 90;
    s.run.seed = 5;
    return s;
}

struct FeedbackCrash {};

struct FeedbackProcess {
    FakeEvaluator evaluator{16, 12, 4};
    FakeInfiller infiller;
    std::unique_ptr<Proposer> proposer;
    explicit FeedbackProcess(const Settings& s) {
        proposer = make_proposer(s, {&infiller, nullptr, nullptr, whitespace_splitter()});
    }
    OptimizeResult run(const Settings& s, RunDirectory& dir, OptimizerHooks hooks) {
        hooks.show_progress = false;
        OptimizerParts parts{&evaluator, proposer.get(), whitespace_splitter(), nullptr, {}};
        return run_optimizer(s, dir, kFeedbackPrompt, parts, hooks);
    }
};

// After iteration 1's event, a person's lines land in the file (as the page writes them).
OptimizerHooks writes_feedback_after_iteration_1(const std::string& file) {
    OptimizerHooks hooks;
    hooks.on_event = [file](const nlohmann::json& e) {
        if (e.value("event", std::string()) != "iteration" || e.value("iteration", 0) != 1) return;
        append_feedback_line(file, {{"note", kNote}, {"author", "ana"}, {"time", utc_timestamp()}});
        append_feedback_line(file, {{"decision", "veto"}, {"child", "c1_0"}, {"iteration", 1}});
        append_feedback_line(
            file,
            {{"id", "train-2"}, {"score", 1.0}, {"comment", "fine by me"}, {"author", "ana"}});
    };
    return hooks;
}

std::vector<nlohmann::json> feedback_events(RunDirectory& dir) {
    std::vector<nlohmann::json> out;
    for (const nlohmann::json& e : dir.read_events())
        if (e["event"] == "feedback") out.push_back(e);
    return out;
}

bool context_has_note(const InfillRequest& r) {
    return r.context.find("Notes from a reviewer") != std::string::npos &&
           r.context.find(kNote) != std::string::npos;
}

TEST(RunFeedback, LinesWrittenDuringARunShapeTheNextIteration) {
    Settings s = dlm_settings();
    FeedbackProcess p(s);
    RunDirectory dir = RunDirectory::create(temp_dir("run-feedback") + "/run", settings_to_toml(s));
    p.run(s, dir, writes_feedback_after_iteration_1(dir.file("feedback.jsonl")));
    ASSERT_GE(p.infiller.requests.size(), 2u);
    EXPECT_FALSE(context_has_note(p.infiller.requests[0])) << "iteration 1 ran before the note";
    EXPECT_TRUE(context_has_note(p.infiller.requests[1])) << p.infiller.requests[1].context;
    std::vector<nlohmann::json> events = feedback_events(dir);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["iteration"], 2);
    EXPECT_EQ(events[0]["lines"], 3);
    ASSERT_EQ(events[0]["entries"].size(), 2u) << "the decision line is not feedback";
    EXPECT_EQ(events[0]["entries"][0]["note"], kNote);
    EXPECT_EQ(events[0]["entries"][1]["id"], "train-2");
}

TEST(RunFeedback, AResumedRunTakesTheJournaledLinesAgain) {
    Settings s = dlm_settings();
    const std::string root = temp_dir("run-feedback-resume") + "/run";
    {
        RunDirectory dir = RunDirectory::create(root, settings_to_toml(s));
        FeedbackProcess p(s);
        OptimizerHooks hooks = writes_feedback_after_iteration_1(dir.file("feedback.jsonl"));
        auto write = hooks.on_event;
        hooks.on_event = [write](const nlohmann::json& e) {
            write(e);
            if (e["event"] == "feedback") throw FeedbackCrash{};  // after the journal has it
        };
        EXPECT_THROW(p.run(s, dir, hooks), FeedbackCrash);
    }
    RunDirectory dir = RunDirectory::open(root);
    FeedbackProcess p(s);
    p.run(s, dir, {});
    ASSERT_FALSE(p.infiller.requests.empty());
    EXPECT_TRUE(context_has_note(p.infiller.requests[0]))
        << "iteration 2, replayed, keeps the note";
    EXPECT_EQ(feedback_events(dir).size(), 1u) << "the lines are taken once";
    nlohmann::json checkpoint = *dir.read_checkpoint();
    EXPECT_EQ(checkpoint["feedback_lines"], 3);
    EXPECT_EQ(checkpoint["feedback_entries"].size(), 1u);
}

TEST(RunFeedback, BadLinesAreSkippedAndTheRunGoesOn) {
    Settings s = dlm_settings();
    s.budget.target_calls = 60;
    FeedbackProcess p(s);
    RunDirectory dir =
        RunDirectory::create(temp_dir("run-feedback-bad") + "/run", settings_to_toml(s));
    std::ofstream(dir.file("feedback.jsonl"))
        << "not json\n{\"id\": \"val-1\", \"score\": 7}\n{\"note\": \"ok\"}\n";
    OptimizeResult r = p.run(s, dir, {});
    EXPECT_GE(r.iterations, 1);
    std::vector<nlohmann::json> events = feedback_events(dir);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0]["entries"].size(), 1u);
}

TEST(RunFeedback, OverridesFromThePageNeverTouchTheTestScore) {
    Settings s = dlm_settings();
    s.budget.target_calls = 40;
    FeedbackProcess p(s);
    RunDirectory dir =
        RunDirectory::create(temp_dir("run-feedback-test") + "/run", settings_to_toml(s));
    for (int i = 0; i < 4; ++i)
        append_feedback_line(
            dir.file("feedback.jsonl"),
            {{"id", "test-" + std::to_string(i)}, {"score", 1.0}, {"comment", "fine"}});
    for (int i = 0; i < 12; ++i)
        append_feedback_line(
            dir.file("feedback.jsonl"),
            {{"id", "val-" + std::to_string(i)}, {"score", 1.0}, {"comment", "fine"}});
    OptimizeResult r = p.run(s, dir, {});
    ASSERT_TRUE(r.initial_test.has_value());
    EXPECT_DOUBLE_EQ(*r.initial_test, 0.25) << "the metric's score, not the override";
    EXPECT_DOUBLE_EQ(r.best_val, 1.0) << "validation in the search does see the overrides";
}

// A finished run's page feedback, given to a new run with --feedback: notes reach the proposer.
TEST(RunFeedback, AnotherRunsNotesReachTheProposerThroughFeedbackFile) {
    Settings s = dlm_settings();
    s.budget.target_calls = 40;
    const std::string old_file = temp_dir("run-feedback-old") + "/feedback.jsonl";
    append_feedback_line(old_file, {{"note", kNote}, {"author", "ana"}});
    append_feedback_line(old_file, {{"decision", "stop"}, {"iteration", 1}});
    FeedbackProcess p(s);
    RunDirectory dir =
        RunDirectory::create(temp_dir("run-feedback-new") + "/run", settings_to_toml(s));
    OptimizerParts parts{&p.evaluator, p.proposer.get(), whitespace_splitter(), nullptr,
                         FeedbackBook::load(old_file)};
    OptimizerHooks hooks;
    hooks.show_progress = false;
    OptimizeResult r = run_optimizer(s, dir, kFeedbackPrompt, parts, hooks);
    ASSERT_FALSE(p.infiller.requests.empty());
    EXPECT_TRUE(context_has_note(p.infiller.requests[0]));
    EXPECT_NE(r.stop_reason, "review") << "the old run's stop is not this run's";
}

TEST(FeedbackBook, ReadsThePagesLinesAndSkipsDecisions) {
    std::string dir = temp_dir("feedback-page-lines");
    std::ofstream(dir + "/fb.jsonl")
        << R"({"id": "a", "score": 0, "comment": "sarcasm", "author": "ana", "time": "2026-11-28T10:00:00Z", "candidate": "c1_0"})"
        << "\n"
        << R"({"note": "short answers", "author": "bo"})"
        << "\n"
        << R"({"decision": "stop", "iteration": 4})"
        << "\n";
    FeedbackBook book = FeedbackBook::load(dir + "/fb.jsonl");
    std::vector<Trace> traces = {{"a", "x", "positive", "positive", 1.0, ""}};
    book.apply(traces);
    EXPECT_EQ(traces[0].score, 0.0);
    EXPECT_EQ(book.notes(), "short answers");
    std::ofstream(dir + "/bad.jsonl") << R"({"decision": "veto", "iteration": 4})"
                                      << "\n";
    EXPECT_THROW(FeedbackBook::load(dir + "/bad.jsonl"), InputError) << "a veto names its child";
}

}  // namespace
}  // namespace remask::optimize
