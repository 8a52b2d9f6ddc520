// The loop with fakes: ar-rewrite finds the better prompt and random-edit does not; no
// worse candidate is accepted; the target-call cap holds; interrupted runs resume to the
// same result without repeating completed work; the run directory has its documented files.

#include "optimize/optimizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fakes.h"
#include "optimize/candidate_pool.h"
#include "optimize/prompt_text.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

using testing::FakeEvaluator;
using testing::FakeInfiller;
using testing::FakeRewriter;
using testing::kLabelRule;
using testing::temp_dir;

const std::string kInitial =
    "You are a sentiment classifier. <keep>Be honest.</keep> Read the review and reply briefly.";

Settings settings_for(const std::string& proposer, int64_t target_calls) {
    Settings s;
    s.optimizer.proposer = proposer;
    s.optimizer.candidates = 3;
    s.optimizer.minibatch = 4;
    s.budget.target_calls = target_calls;
    s.run.seed = 7;
    return s;
}

// One optimizer process: its own evaluator, proposer deps and run directory handle.
struct Process {
    FakeEvaluator evaluator;
    FakeRewriter rewriter;
    FakeInfiller infiller;
    std::unique_ptr<Proposer> proposer;
    Process(const Settings& s, size_t test = 8) : evaluator(16, 12, test) {
        proposer = make_proposer(s, {&infiller, nullptr, &rewriter, whitespace_splitter()});
    }
    OptimizeResult run(const Settings& s, RunDirectory& dir, const OptimizerHooks& hooks = quiet(),
                       Reviewer* reviewer = nullptr, FeedbackBook feedback = {}) {
        OptimizerParts parts{&evaluator, proposer.get(), whitespace_splitter(), reviewer,
                             std::move(feedback)};
        return run_optimizer(s, dir, kInitial, parts, hooks);
    }
    static OptimizerHooks quiet() {
        OptimizerHooks h;
        h.show_progress = false;
        return h;
    }
};

OptimizeResult run_fresh(const Settings& s, const std::string& name, Process& p) {
    RunDirectory dir = RunDirectory::create(temp_dir(name) + "/run", settings_to_toml(s));
    return p.run(s, dir);
}

TEST(Optimizer, ArRewriteFindsTheLabelRule) {
    Settings s = settings_for("ar-rewrite", 200);
    Process p(s);
    OptimizeResult r = run_fresh(s, "ar", p);
    EXPECT_DOUBLE_EQ(r.initial_val, 0.25);
    EXPECT_DOUBLE_EQ(r.best_val, 1.0);
    EXPECT_NE(r.best_id, "c0");
    EXPECT_NE(r.best_prompt.find(kLabelRule), std::string::npos);
    EXPECT_NE(r.best_prompt.find("<keep>Be honest.</keep>"), std::string::npos);
    ASSERT_TRUE(r.best_test && r.initial_test);
    EXPECT_GT(*r.best_test, *r.initial_test);
    EXPECT_GT(p.rewriter.calls, 0);
}

TEST(Optimizer, DlmProposerFindsItThroughTheInfiller) {
    Settings s = settings_for("dlm", 200);
    Process p(s);
    OptimizeResult r = run_fresh(s, "dlm", p);
    EXPECT_DOUBLE_EQ(r.best_val, 1.0);
    EXPECT_GT(r.summary["dlm_forwards"].get<int64_t>(), 0);
}

TEST(Optimizer, RandomEditDoesNotFindIt) {
    Settings s = settings_for("random-edit", 200);
    Process p(s);
    OptimizeResult r = run_fresh(s, "random", p);
    EXPECT_EQ(r.best_id, "c0");
    EXPECT_DOUBLE_EQ(r.best_val, r.initial_val);
    EXPECT_GT(r.iterations, 3);
}

TEST(Optimizer, NeverAcceptsAWorseCandidate) {
    for (const std::string proposer : {"random-edit", "ar-rewrite", "dlm"}) {
        Settings s = settings_for(proposer, 250);
        Process p(s);
        std::string root = temp_dir("worse-" + proposer);
        RunDirectory dir = RunDirectory::create(root + "/run", settings_to_toml(s));
        OptimizeResult r = p.run(s, dir);
        EXPECT_GE(r.best_val, r.initial_val);
        size_t children = 0;
        for (const nlohmann::json& c : dir.read_candidates()) {
            if (c["id"] == "c0") continue;
            ++children;
            if (c["accepted"].get<bool>()) {
                EXPECT_GT(c["minibatch_score"].get<double>(),
                          c["parent_minibatch_score"].get<double>())
                    << c.dump();
            } else if (c["decision"] == "worse") {
                EXPECT_LE(c["minibatch_score"].get<double>(),
                          c["parent_minibatch_score"].get<double>());
                EXPECT_TRUE(c["val"].is_null());
            }
        }
        EXPECT_GT(children, 0u) << proposer;
    }
}

TEST(Optimizer, TargetCallCapIsNeverExceeded) {
    for (const std::string proposer : {"ar-rewrite", "dlm", "random-edit"})
        for (int64_t cap : {12, 20, 37, 50, 101, 163}) {
            Settings s = settings_for(proposer, cap);
            Process p(s, /*test=*/0);
            OptimizeResult r = run_fresh(s, "cap", p);
            EXPECT_LE(p.evaluator.spent().target_calls, cap) << proposer << " cap " << cap;
            EXPECT_EQ(r.summary["calls"]["target"].get<int64_t>(),
                      p.evaluator.spent().target_calls);
            EXPECT_TRUE(r.stop_reason == "target_calls" || r.stop_reason == "stalled")
                << r.stop_reason;
        }
}

TEST(Optimizer, CapTooSmallForTheInitialScoringIsAUsageError) {
    Settings s = settings_for("random-edit", 11);  // validation has 12 examples
    Process p(s);
    EXPECT_THROW(run_fresh(s, "tiny", p), UsageError);
}

TEST(Optimizer, RunDirectoryHasTheDocumentedFiles) {
    Settings s = settings_for("ar-rewrite", 120);
    Process p(s);
    std::string root = temp_dir("files") + "/run";
    RunDirectory dir = RunDirectory::create(root, settings_to_toml(s));
    OptimizeResult r = p.run(s, dir);
    for (const char* f : {"config.toml", "events.jsonl", "candidates.jsonl", "checkpoint.json",
                          "best_prompt.txt", "summary.json"})
        EXPECT_TRUE(std::filesystem::exists(root + "/" + f)) << f;
    EXPECT_EQ(read_text_file(root + "/config.toml"), settings_to_toml(s));
    EXPECT_EQ(read_text_file(root + "/best_prompt.txt"), render_for_target(r.best_prompt));
    nlohmann::json summary = nlohmann::json::parse(read_text_file(root + "/summary.json"));
    std::vector<std::string> keys;
    for (const auto& [k, v] : summary.items()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"best", "calls", "dlm_forwards", "initial",
                                              "proposer", "task", "tokens", "usd", "wall_s"}));
    EXPECT_EQ(summary["best"]["candidate"], r.best_id);
    EXPECT_TRUE(summary["initial"].contains("val") && summary["initial"].contains("test"));
    EXPECT_EQ(summary["calls"].size(), 4u);
    EXPECT_EQ(summary["calls"]["rewriter"].get<int64_t>(), p.rewriter.calls);
    std::set<std::string> kinds;
    for (const nlohmann::json& e : dir.read_events()) kinds.insert(e["event"].get<std::string>());
    for (const char* k :
         {"start", "eval", "proposal", "candidate", "best", "iteration", "stop", "finished"})
        EXPECT_TRUE(kinds.count(k)) << k;
    nlohmann::json cp = *dir.read_checkpoint();
    EXPECT_TRUE(cp["finished"].get<bool>());
    EXPECT_EQ(cp["best"], r.best_id);
}

// --- resume ---------------------------------------------------------------------------

struct Crash {};

struct Outcome {
    OptimizeResult result;
    std::vector<nlohmann::json> candidates;
    int64_t rewriter_calls = 0;
    std::multiset<std::pair<std::string, std::string>> evaluated;
};

std::string candidate_lines(const std::vector<nlohmann::json>& lines) {
    std::string out;
    for (nlohmann::json c : lines) {
        c.erase("target_calls");  // replayed steps are decided with the journal's totals
        out += c.dump() + "\n";
    }
    return out;
}

// Runs to the end, crashing after each event count in `crash_after` (or, with
// evaluator_throws, on those evaluate() calls) and resuming in a new "process" each time.
Outcome run_with_crashes(const Settings& s, const std::string& name,
                         std::vector<int64_t> crash_after, bool evaluator_throws) {
    std::string root = temp_dir(name) + "/run";
    { RunDirectory::create(root, settings_to_toml(s)); }
    Outcome o;
    for (size_t attempt = 0;; ++attempt) {
        Process p(s);
        OptimizerHooks hooks = Process::quiet();
        int64_t events = 0;
        bool crashing = attempt < crash_after.size();
        if (crashing && !evaluator_throws)
            hooks.on_event = [&, limit = crash_after[attempt]](const nlohmann::json&) {
                if (++events == limit) throw Crash{};
            };
        if (crashing && evaluator_throws) p.evaluator.throw_on_call = crash_after[attempt];
        RunDirectory dir = RunDirectory::open(root);
        try {
            o.result = p.run(s, dir, hooks);
            o.candidates = dir.read_candidates();
            o.rewriter_calls += p.rewriter.calls;
            o.evaluated.insert(p.evaluator.evaluated.begin(), p.evaluator.evaluated.end());
            EXPECT_FALSE(crashing) << "the crash point was never reached";
            return o;
        } catch (const Crash&) {
        } catch (const ExternalError&) {
        }
        o.rewriter_calls += p.rewriter.calls;
        o.evaluated.insert(p.evaluator.evaluated.begin(), p.evaluator.evaluated.end());
    }
}

void expect_same_run(const Outcome& straight, const Outcome& resumed) {
    EXPECT_EQ(resumed.result.best_id, straight.result.best_id);
    EXPECT_EQ(resumed.result.best_prompt, straight.result.best_prompt);
    EXPECT_DOUBLE_EQ(resumed.result.best_val, straight.result.best_val);
    EXPECT_EQ(resumed.result.best_test, straight.result.best_test);
    EXPECT_EQ(candidate_lines(resumed.candidates), candidate_lines(straight.candidates));
    EXPECT_EQ(resumed.rewriter_calls, straight.rewriter_calls);
    nlohmann::json a = straight.result.summary, b = resumed.result.summary;
    EXPECT_NEAR(a["usd"].get<double>(), b["usd"].get<double>(), 1e-9);  // summed in another order
    for (const char* k : {"wall_s", "usd"}) {
        a.erase(k);
        b.erase(k);
    }
    EXPECT_EQ(a, b);
    // No completed evaluation is repeated: every (prompt, example) pair once in total.
    for (auto it = resumed.evaluated.begin(); it != resumed.evaluated.end();
         it = resumed.evaluated.upper_bound(*it))
        EXPECT_EQ(resumed.evaluated.count(*it), 1u)
            << it->second << " under " << it->first.substr(0, 60);
    EXPECT_EQ(resumed.evaluated.size(), straight.evaluated.size());
}

TEST(OptimizerResume, CrashesAtManyPointsEndLikeAStraightRun) {
    for (const std::string proposer : {"ar-rewrite", "dlm"}) {
        Settings s = settings_for(proposer, 160);
        Outcome straight = run_with_crashes(s, "straight-" + proposer, {}, false);
        ASSERT_GT(straight.result.iterations, 2);
        for (int64_t point : {1, 2, 3, 5, 8, 13, 21, 34}) {
            SCOPED_TRACE(proposer + " crash after event " + std::to_string(point));
            expect_same_run(straight, run_with_crashes(s, "crash-" + proposer, {point}, false));
        }
        SCOPED_TRACE("several crashes in one run");
        expect_same_run(straight,
                        run_with_crashes(s, "crashes-" + proposer, {4, 3, 9, 6, 12}, false));
    }
}

TEST(OptimizerResume, EvaluatorFailuresResumeToTheSameResult) {
    Settings s = settings_for("ar-rewrite", 160);
    Outcome straight = run_with_crashes(s, "straight-eval", {}, false);
    for (int64_t call : {0, 1, 2, 4, 7}) {
        SCOPED_TRACE("evaluator throws on call " + std::to_string(call));
        expect_same_run(straight, run_with_crashes(s, "evalcrash", {call}, true));
    }
}

TEST(OptimizerResume, TornLastEventLineIsCutOff) {
    Settings s = settings_for("ar-rewrite", 120);
    Outcome straight = run_with_crashes(s, "straight-torn", {}, false);
    std::string root = temp_dir("torn") + "/run";
    { RunDirectory::create(root, settings_to_toml(s)); }
    {
        Process p(s);
        OptimizerHooks hooks = Process::quiet();
        int64_t n = 0;
        hooks.on_event = [&](const nlohmann::json&) {
            if (++n == 6) throw Crash{};
        };
        RunDirectory dir = RunDirectory::open(root);
        EXPECT_THROW(p.run(s, dir, hooks), Crash);
    }
    std::ofstream(root + "/events.jsonl", std::ios::app) << "{\"event\": \"eval\", \"trac";
    Process p(s);
    RunDirectory dir = RunDirectory::open(root);
    EXPECT_EQ(p.run(s, dir).best_prompt, straight.result.best_prompt);
}

TEST(OptimizerResume, ResumingAFinishedRunChangesNothing) {
    Settings s = settings_for("ar-rewrite", 120);
    std::string root = temp_dir("finished") + "/run";
    OptimizeResult first;
    {
        Process p(s);
        RunDirectory dir = RunDirectory::create(root, settings_to_toml(s));
        first = p.run(s, dir);
    }
    Process again(s);
    RunDirectory dir = RunDirectory::open(root);
    OptimizeResult second = again.run(s, dir);
    EXPECT_EQ(second.best_prompt, first.best_prompt);
    EXPECT_EQ(again.evaluator.evaluate_calls, 0);
    EXPECT_EQ(again.rewriter.calls, 0);
}

// --- stopping, selection, people ----------------------------------------------------------

TEST(Optimizer, PatienceStopsARunThatDoesNotImprove) {
    Settings s = settings_for("random-edit", 0);
    s.optimizer.patience = 2;
    Process p(s);
    OptimizeResult r = run_fresh(s, "patience", p);
    EXPECT_EQ(r.stop_reason, "patience");
    EXPECT_EQ(r.iterations, 2);
}

TEST(CandidatePool, ParetoSamplesOnlyCandidatesBestSomewhere) {
    CandidatePool pool;
    auto add = [&](const std::string& id, std::map<std::string, double> scores) {
        Candidate c;
        c.id = id;
        c.val_scores = scores;
        c.val = mean_score(scores);
        pool.add(c);
    };
    add("a", {{"x", 1}, {"y", 0}, {"z", 0}});
    add("b", {{"x", 0}, {"y", 1}, {"z", 1}});
    add("dominated", {{"x", 0.5}, {"y", 0.5}, {"z", 0.5}});
    std::map<std::string, int> picks;
    for (int i = 0; i < 600; ++i) {
        auto rng = make_rng(1, i, "select");
        ++picks[pool.select("pareto", rng).id];
    }
    EXPECT_EQ(picks["dominated"], 0);
    EXPECT_GT(picks["a"], 100);
    EXPECT_GT(picks["b"], picks["a"]);  // best on two examples, weight 2
    auto rng = make_rng(1, 0, "select");
    EXPECT_EQ(pool.select("best", rng).id, "b");
}

TEST(Optimizer, ParetoSelectionRunsEndToEnd) {
    Settings s = settings_for("ar-rewrite", 150);
    s.optimizer.selection = "pareto";
    Process p(s);
    EXPECT_DOUBLE_EQ(run_fresh(s, "pareto", p).best_val, 1.0);
}

struct ScriptedReviewer : Reviewer {
    std::function<ReviewDecision(const ReviewView&)> decide;
    int64_t asked = 0;
    ReviewDecision review(const ReviewView& v) override {
        ++asked;
        return decide(v);
    }
};

TEST(OptimizerReview, VetoKeepsEveryChildOut) {
    Settings s = settings_for("ar-rewrite", 120);
    Process p(s);
    ScriptedReviewer reviewer;
    reviewer.decide = [](const ReviewView& v) {
        ReviewDecision d;
        for (const ReviewChild& c : v.children) d.vetoed.push_back(c.id);
        return d;
    };
    RunDirectory dir = RunDirectory::create(temp_dir("veto") + "/run", settings_to_toml(s));
    OptimizeResult r = p.run(s, dir, Process::quiet(), &reviewer);
    EXPECT_GT(reviewer.asked, 0);
    EXPECT_EQ(r.best_id, "c0");
}

TEST(OptimizerReview, PickAcceptsAChildAndCommentsReachTheProposer) {
    Settings s = settings_for("random-edit", 80);
    Process p(s);
    ScriptedReviewer reviewer;
    reviewer.decide = [](const ReviewView& v) {
        ReviewDecision d;
        d.picked = v.children.front().id;
        d.comments["train-1"] = "look at the label words";
        d.stop = v.iteration == 2;
        return d;
    };
    RunDirectory dir = RunDirectory::create(temp_dir("pick") + "/run", settings_to_toml(s));
    OptimizeResult r = p.run(s, dir, Process::quiet(), &reviewer);
    EXPECT_EQ(r.stop_reason, "review");
    EXPECT_EQ(r.iterations, 2);
    bool picked = false;
    for (const nlohmann::json& c : dir.read_candidates())
        picked = picked || c["decision"] == "picked";
    EXPECT_TRUE(picked);
}

TEST(OptimizerReview, TerminalReviewerReadsCommands) {
    std::istringstream in(
        "help\nveto 2\npick c1_0\ncomment train-3 sarcasm is negative\nnote be short\nstop\n\n");
    std::ostringstream out;
    auto reviewer = make_terminal_reviewer(in, out);
    ReviewView view;
    view.iteration = 1;
    view.children = {{"c1_0", "p0", {}, 0.5}, {"c1_1", "p1", {{0, 2, "a", "bb"}}, 0.25}};
    ReviewDecision d = reviewer->review(view);
    EXPECT_EQ(d.vetoed, std::vector<std::string>{"c1_1"});
    EXPECT_EQ(d.picked, "c1_0");
    EXPECT_EQ(d.comments.at("train-3"), "sarcasm is negative");
    EXPECT_EQ(d.notes, "be short");
    EXPECT_TRUE(d.stop);
    EXPECT_NE(out.str().find("child 2 (c1_1)"), std::string::npos);
    EXPECT_EQ(review_from_json(to_json(d)).comments, d.comments);
}

TEST(Feedback, FileIsMergedIntoTracesByIdOrInput) {
    std::string dir = temp_dir("feedback");
    std::ofstream(dir + "/fb.jsonl")
        << "{\"id\": \"a\", \"comment\": \"sarcastic\", \"score\": 0}\n\n"
        << "{\"input\": \"great\", \"comment\": \"clearly positive\"}\n";
    FeedbackBook book = FeedbackBook::load(dir + "/fb.jsonl");
    std::vector<Trace> traces = {{"a", "x", "positive", "positive", 1.0, ""},
                                 {"b", "great", "", "", 0.0, "wrong"},
                                 {"c", "other", "", "", 1.0, ""}};
    book.apply(traces);
    EXPECT_EQ(traces[0].score, 0.0);
    EXPECT_EQ(traces[0].feedback, "Reviewer: sarcastic");
    EXPECT_EQ(traces[1].feedback, "wrong\nReviewer: clearly positive");
    EXPECT_EQ(traces[2].feedback, "");
}

TEST(Feedback, BadLinesNameFileAndLine) {
    std::string dir = temp_dir("feedback-bad");
    auto expect_error = [&](const std::string& text, const std::string& needle) {
        std::ofstream(dir + "/fb.jsonl") << text;
        try {
            FeedbackBook::load(dir + "/fb.jsonl");
            ADD_FAILURE() << text;
        } catch (const InputError& e) {
            EXPECT_EQ(e.subject(), dir + "/fb.jsonl:2");
            EXPECT_NE(e.detail().find(needle), std::string::npos) << e.detail();
        }
    };
    expect_error("{\"id\": \"a\", \"comment\": \"x\"}\nnot json\n", "JSON");
    expect_error("{\"id\": \"a\", \"comment\": \"x\"}\n{\"id\": \"b\", \"score\": 2}\n", "score");
    expect_error("{\"id\": \"a\", \"comment\": \"x\"}\n{\"comment\": \"x\"}\n", "id");
    expect_error("{\"id\": \"a\", \"comment\": \"x\"}\n{\"id\": \"a\", \"coment\": \"x\"}\n",
                 "coment");
    EXPECT_THROW(FeedbackBook::load(dir + "/missing.jsonl"), InputError);
}

TEST(Optimizer, FeedbackScoresChangeWhatTheLoopSees) {
    Settings s = settings_for("random-edit", 60);
    Process p(s);
    FeedbackBook book;
    for (int i = 0; i < 12; ++i)
        book.add_for_id("val-" + std::to_string(i), {"judged by a person", 1.0});
    RunDirectory dir = RunDirectory::create(temp_dir("fbrun") + "/run", settings_to_toml(s));
    EXPECT_DOUBLE_EQ(p.run(s, dir, Process::quiet(), nullptr, book).initial_val, 1.0);
}

// Was: --feedback score overrides applied to the final test scoring too.
TEST(Optimizer, FeedbackNeverChangesTheTestScore) {
    Settings s = settings_for("random-edit", 60);
    Process p(s);
    FeedbackBook book;
    for (int i = 0; i < 8; ++i) book.add_for_id("test-" + std::to_string(i), {"a person says fine", 1.0});
    RunDirectory dir = RunDirectory::create(temp_dir("fbtest") + "/run", settings_to_toml(s));
    OptimizeResult result = p.run(s, dir, Process::quiet(), nullptr, book);
    ASSERT_TRUE(result.initial_test.has_value());
    EXPECT_DOUBLE_EQ(*result.initial_test, 0.25) << "the metric's score, not the override";
}

// Was: calls answered before an evaluator error were in no event, so the budget and a
// resumed run never counted them.
TEST(Optimizer, CallsPaidBeforeAnEvaluatorErrorAreJournaled) {
    Settings s = settings_for("random-edit", 60);
    Process p(s);
    p.evaluator.throw_on_call = 1;
    p.evaluator.calls_before_throw = 3;
    const std::string root = temp_dir("paid-calls");
    RunDirectory dir = RunDirectory::create(root + "/run", settings_to_toml(s));
    EXPECT_THROW(p.run(s, dir), ExternalError);
    std::ifstream events(root + "/run/events.jsonl");
    int64_t journaled = 0;
    for (std::string line; std::getline(events, line);) {
        nlohmann::json e = nlohmann::json::parse(line);
        if (e.contains("spend")) journaled += e["spend"].value("target", int64_t{0});
    }
    EXPECT_EQ(journaled, p.evaluator.spent().target_calls);
    EXPECT_EQ(journaled, 12 + 3);
}

}  // namespace
}  // namespace remask::optimize
