#include "tasks/metrics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace remask {
namespace {

EvalRow metric_row(const std::string& expected, const std::string& parsed, double score) {
    EvalRow r;
    r.expected = expected;
    r.parsed = parsed;
    r.parse_failed = parsed.empty();
    r.score = score;
    return r;
}

// Wilson intervals from textbook tables (z = 1.96): 5/10 → [0.2366, 0.7634],
// 3/10 → [0.1078, 0.6032], 0/10 → [0, 0.2775], 10/10 → [0.7225, 1].
TEST(Wilson, MatchesPublishedValues) {
    Interval a = wilson_interval(5, 10);
    EXPECT_NEAR(a.lo, 0.236593, 1e-6);
    EXPECT_NEAR(a.hi, 0.763407, 1e-6);
    Interval b = wilson_interval(3, 10);
    EXPECT_NEAR(b.lo, 0.107791, 1e-6);
    EXPECT_NEAR(b.hi, 0.603222, 1e-6);
    Interval c = wilson_interval(0, 10);
    EXPECT_EQ(c.lo, 0.0);
    EXPECT_NEAR(c.hi, 0.277533, 1e-6);
    Interval d = wilson_interval(10, 10);
    EXPECT_NEAR(d.lo, 0.722467, 1e-6);
    EXPECT_LE(d.hi, 1.0);
    EXPECT_NEAR(d.hi, 1.0, 1e-12);
}

// The scripted SST-2 case of evaluator_test.cpp, as rows: 6 positive, 4 negative.
std::vector<EvalRow> scripted_rows() {
    return {metric_row("positive", "positive", 1), metric_row("positive", "positive", 1),
            metric_row("positive", "negative", 0), metric_row("positive", "", 0),
            metric_row("positive", "positive", 1), metric_row("positive", "", 0),
            metric_row("negative", "negative", 1), metric_row("negative", "negative", 1),
            metric_row("negative", "positive", 0), metric_row("negative", "", 0)};
}

TEST(Metrics, ClassificationByHand) {
    const Metrics m = compute_metrics(scripted_rows(), {"negative", "positive"}, 0);
    ASSERT_TRUE(m.classification);
    EXPECT_EQ(m.n, 10u);
    EXPECT_DOUBLE_EQ(m.accuracy, 0.5);
    EXPECT_NEAR(m.accuracy_ci.lo, 0.236593, 1e-6);
    EXPECT_NEAR(m.accuracy_ci.hi, 0.763407, 1e-6);
    EXPECT_EQ(m.parse_failures, 3u);
    EXPECT_DOUBLE_EQ(m.parse_failure_rate, 0.3);
    EXPECT_NEAR(m.parse_failure_ci.lo, 0.107791, 1e-6);
    // F1(positive) = 2·3/(2·3+1+3) = 0.6; F1(negative) = 2·2/(2·2+1+2) = 4/7.
    EXPECT_NEAR(m.macro_f1, (0.6 + 4.0 / 7.0) / 2.0, 1e-12);
    EXPECT_LT(m.macro_f1_ci.lo, m.macro_f1);
    EXPECT_GT(m.macro_f1_ci.hi, m.macro_f1);
    // The mean of 0/1 scores is a proportion: Wilson, same as accuracy.
    EXPECT_TRUE(m.mean_is_proportion);
    EXPECT_DOUBLE_EQ(m.mean, 0.5);
    EXPECT_DOUBLE_EQ(m.mean_ci.lo, m.accuracy_ci.lo);
    // Rows: expected negative, positive; columns: predicted negative, positive, unparsed.
    const std::vector<std::vector<size_t>> expected_counts = {{2, 1, 1}, {1, 3, 2}};
    EXPECT_EQ(m.confusion.counts, expected_counts);
}

TEST(Metrics, LabelNeitherExpectedNorPredictedIsLeftOutOfMacroF1) {
    // Two of three labels occur; "neutral" is absent from both columns.
    std::vector<EvalRow> rows = {metric_row("positive", "positive", 1), metric_row("negative", "positive", 0)};
    const Metrics m = compute_metrics(rows, {"negative", "neutral", "positive"}, 0);
    // F1(positive) = 2/(2+1+0) = 2/3; F1(negative) = 0/(0+0+1) = 0.
    EXPECT_NEAR(m.macro_f1, (2.0 / 3.0 + 0.0) / 2.0, 1e-12);
}

TEST(Metrics, EveryReplyUnparseableGivesZeroF1NotNaN) {
    std::vector<EvalRow> rows = {metric_row("positive", "", 0), metric_row("negative", "", 0)};
    const Metrics m = compute_metrics(rows, {"negative", "positive"}, 0);
    EXPECT_EQ(m.macro_f1, 0.0);
    EXPECT_EQ(m.parse_failures, 2u);
    EXPECT_EQ(m.accuracy, 0.0);
}

TEST(Metrics, FractionalScoresUseASeededBootstrap) {
    std::vector<EvalRow> rows;
    for (int i = 0; i < 200; ++i) rows.push_back(metric_row("", "x", (i % 5) / 4.0));  // 0, .25, .5, .75, 1
    const Metrics m = compute_metrics(rows, {}, 7);
    EXPECT_FALSE(m.classification);
    EXPECT_FALSE(m.mean_is_proportion);
    EXPECT_DOUBLE_EQ(m.mean, 0.5);
    // Normal approximation: sd = sqrt(0.125) ≈ 0.3536, half width ≈ 1.96·0.3536/sqrt(200) ≈ 0.049.
    const double half = (m.mean_ci.hi - m.mean_ci.lo) / 2;
    EXPECT_NEAR(half, 0.049, 0.008);
    EXPECT_LT(m.mean_ci.lo, 0.5);
    EXPECT_GT(m.mean_ci.hi, 0.5);
    const Metrics again = compute_metrics(rows, {}, 7);
    EXPECT_EQ(again.mean_ci.lo, m.mean_ci.lo);
    EXPECT_EQ(again.mean_ci.hi, m.mean_ci.hi);
    const Metrics other = compute_metrics(rows, {}, 8);
    EXPECT_TRUE(other.mean_ci.lo != m.mean_ci.lo || other.mean_ci.hi != m.mean_ci.hi);
}

TEST(Metrics, ConstantScoresGiveADegenerateBootstrapInterval) {
    std::vector<EvalRow> rows(20, metric_row("", "x", 0.25));
    const Metrics m = compute_metrics(rows, {}, 0);
    EXPECT_DOUBLE_EQ(m.mean_ci.lo, 0.25);
    EXPECT_DOUBLE_EQ(m.mean_ci.hi, 0.25);
}

}  // namespace
}  // namespace remask
