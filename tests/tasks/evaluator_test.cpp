#include "tasks/evaluator.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/progress.h"
#include "scripted_model.h"
#include "scripted_sst2.h"
#include "tasks/metrics.h"
#include "tasks/sst2_task.h"
#include "temp_dir.h"

namespace remask {
namespace {

using testing::fresh_dir;
using testing::ScriptedModel;

// The scripted case of scripted_sst2.h; s1's answer comes from the cache.
struct ScriptedSst2 {
    std::filesystem::path dir;
    ScriptedModel target;

    ScriptedSst2() {
        dir = fresh_dir();
        testing::write_scripted_sst2(dir);
        for (const auto& [sentence, reply] : testing::scripted_replies())
            target.on(sentence, reply, /*cached=*/sentence == "s1");
    }
};

class EvaluatorTest : public ::testing::Test {
protected:
    void SetUp() override { Progress::set_mode_for_tests(true, true); }
};

TEST_F(EvaluatorTest, RowsAndMetricsOfAScriptedTarget) {
    ScriptedSst2 s;
    Sst2Task task(s.dir.string());
    Evaluator evaluator(task, s.target, {4, "eval"});
    const EvalResult result = evaluator.run("Answer positive or negative.", task.split("dev"));
    ASSERT_EQ(result.rows.size(), 10u);
    for (size_t i = 0; i < 10; ++i) EXPECT_EQ(result.rows[i].id, "dev-" + std::to_string(i));  // input order

    const EvalRow& wrong = result.rows[2];
    EXPECT_EQ(wrong.input, "s2");
    EXPECT_EQ(wrong.expected, "positive");
    EXPECT_EQ(wrong.reply, "The sentiment is negative.");
    EXPECT_EQ(wrong.parsed, "negative");
    EXPECT_EQ(wrong.score, 0.0);
    EXPECT_EQ(wrong.feedback, "Wrong: expected \"positive\" but the reply answered \"negative\".");
    EXPECT_EQ(wrong.tokens_in, 2);   // the scripted usage: bytes of the user message
    EXPECT_EQ(wrong.tokens_out, 26);
    EXPECT_TRUE(result.rows[3].parse_failed);
    EXPECT_TRUE(result.rows[5].parse_failed);
    EXPECT_TRUE(result.rows[9].parse_failed);
    EXPECT_EQ(result.rows[4].parsed, "positive");  // first mention wins
    EXPECT_TRUE(result.rows[1].cached);
    EXPECT_FALSE(result.rows[0].cached);

    // Cost counts only calls that were sent: 9 of 10 (s1 came from the cache).
    EXPECT_EQ(result.cost.target_calls, 9);
    EXPECT_EQ(result.cost.cached_calls, 1);
    EXPECT_EQ(result.cost.target_usage.prompt_tokens, 18);
    EXPECT_EQ(result.cost.judge_calls, 0);

    const Metrics m = compute_metrics(result.rows, task.labels(), 0);
    EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
    EXPECT_EQ(m.parse_failures, 3u);
    EXPECT_NEAR(m.macro_f1, (0.6 + 4.0 / 7.0) / 2.0, 1e-12);
    EXPECT_NEAR(m.accuracy_ci.lo, 0.236593, 1e-6);

    // Every request: system prompt as the system message, the sentence alone as the user one.
    for (const auto& request : s.target.requests()) {
        ASSERT_EQ(request.messages.size(), 2u);
        EXPECT_EQ(request.messages[0].content, "Answer positive or negative.");
        EXPECT_EQ(request.messages[1].content.substr(0, 1), "s");
    }
    EXPECT_LE(s.target.max_in_flight(), 4);
}

TEST_F(EvaluatorTest, SameRowsWhateverTheConcurrency) {
    ScriptedSst2 s;
    Sst2Task task(s.dir.string());
    const auto one = Evaluator(task, s.target, {1, ""}).run("p", task.split("dev"));
    const auto many = Evaluator(task, s.target, {16, ""}).run("p", task.split("dev"));
    EXPECT_EQ(s.target.max_in_flight() >= 1, true);
    for (size_t i = 0; i < one.rows.size(); ++i) {
        EXPECT_EQ(one.rows[i].reply, many.rows[i].reply);
        EXPECT_EQ(one.rows[i].score, many.rows[i].score);
    }
}

TEST_F(EvaluatorTest, AFailedCallStopsTheRunWithItsError) {
    ScriptedSst2 s;
    s.target.fail_on("s4");
    Sst2Task task(s.dir.string());
    Evaluator evaluator(task, s.target, {2, ""});
    EXPECT_THROW(evaluator.run("p", task.split("dev")), ExternalError);
}

}  // namespace
}  // namespace remask
