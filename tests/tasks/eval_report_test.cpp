#include "tasks/eval_report.h"

#include <gtest/gtest.h>

#include "core/settings.h"
#include "tasks/registry.h"

namespace remask {
namespace {

EvalRow row(const std::string& expected, const std::string& parsed, double score) {
    EvalRow r;
    r.id = "dev-0";
    r.expected = expected;
    r.parsed = parsed;
    r.parse_failed = parsed.empty();
    r.score = score;
    return r;
}

TEST(EvalReport, RowHasExactlyTheInterfaceKeys) {
    const auto json = eval_row_json(row("positive", "", 0));
    EXPECT_EQ(json.size(), 10u);
    for (const char* key : {"id", "input", "expected", "reply", "parsed", "score", "feedback", "tokens_in",
                            "tokens_out", "cached"})
        EXPECT_TRUE(json.contains(key)) << key;
    EXPECT_TRUE(json["parsed"].is_null());
    EXPECT_EQ(eval_row_json(row("positive", "negative", 0))["parsed"], "negative");
}

TEST(EvalReport, SummaryLeavesClassificationFieldsOutForOtherTasks) {
    std::vector<EvalRow> rows = {row("a", "x", 0.5), row("b", "y", 1.0)};
    const Metrics m = compute_metrics(rows, {}, 0);
    const auto json = eval_summary_json("jsonl", "test", m, 2, 0.25);
    EXPECT_FALSE(json.contains("accuracy"));
    EXPECT_FALSE(json.contains("macro_f1"));
    EXPECT_EQ(json["n"], 2);
    EXPECT_DOUBLE_EQ(json["mean"].get<double>(), 0.75);
    EXPECT_EQ(json["ci95"].size(), 2u);
    EXPECT_EQ(json["calls"], 2);
    EXPECT_DOUBLE_EQ(json["usd"].get<double>(), 0.25);
}

TEST(EvalReport, TableShowsMetricsConfusionAndCost) {
    std::vector<EvalRow> rows = {row("positive", "positive", 1), row("negative", "positive", 0),
                                 row("negative", "", 0)};
    const Metrics m = compute_metrics(rows, {"negative", "positive"}, 0);
    SpendSummary spend;
    spend.target_calls = 3;
    spend.usd = 0.0123;
    const std::string table = eval_table("sst2", "dev", m, spend);
    EXPECT_NE(table.find("sst2 dev: 3 examples"), std::string::npos) << table;
    EXPECT_NE(table.find("accuracy            0.3333  ["), std::string::npos) << table;
    EXPECT_NE(table.find("parse failures      0.3333"), std::string::npos) << table;
    // Row "negative": 0 answered negative, 1 positive, 1 unparsed.
    EXPECT_NE(table.find("negative  0         1         1"), std::string::npos) << table;
    EXPECT_NE(table.find("cost $0.012"), std::string::npos) << table;
}

TEST(EvalReport, ExampleConfigScoresAllOfSst2DevOnGpt4oMini) {
    const Settings settings = load_settings(std::string(REMASK_SOURCE_DIR) + "/examples/sst2-eval.toml");
    EXPECT_EQ(settings.task.name, "sst2");
    EXPECT_EQ(settings.target.model, "gpt-4o-mini");
    EXPECT_EQ(settings.target.base_url, "https://api.openai.com/v1");
    TaskContext context;
    context.data_dir = std::string(REMASK_SOURCE_DIR) + "/data";
    const auto task = make_task(settings.task, context);
    const auto examples = task->subset("dev", static_cast<size_t>(settings.task.val_size), 0);
    EXPECT_EQ(examples.size(), 872u);
    const PriceSheet price{settings.target.price_input_per_mtok, settings.target.price_output_per_mtok,
                           settings.target.max_tokens};
    const CostEstimate estimate = estimate_cost(*task, "Answer positive or negative.", examples, price, nullptr, "");
    EXPECT_EQ(estimate.target_calls, 872);
    // ~100 characters a sentence → tens of thousands of input tokens: about a cent.
    EXPECT_GT(estimate.usd, 0.003);
    EXPECT_LT(estimate.usd, 0.03);
    EXPECT_GE(estimate.usd_max, estimate.usd);
    EXPECT_NE(describe_estimate(estimate, 872).find("at most 872 target calls"), std::string::npos);
}

}  // namespace
}  // namespace remask
