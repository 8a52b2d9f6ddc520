#include "tasks/jsonl_task.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "scripted_model.h"
#include "tasks/judge.h"
#include "tasks/text_metrics.h"
#include "temp_dir.h"

namespace remask {
namespace {

using testing::fresh_dir;
using testing::ScriptedModel;
using testing::write_file;

std::string error_of(const std::string& text, JsonlMetric metric = JsonlMetric::exact,
                     JsonlOptions options = {}) {
    const std::string path = write_file(fresh_dir() / "data.jsonl", text);
    try {
        JsonlTask task(path, metric, options);
    } catch (const InputError& e) {
        return e.what();
    }
    return "<no error>";
}

TEST(JsonlTask, KeepsExtraFieldsIdsAndSplits) {
    const std::string path = write_file(fresh_dir() / "d.jsonl",
        R"({"input": "2+2?", "expected": 4, "split": "dev", "id": "q1", "source": "mental"})" "\n"
        "\n"
        R"({"input": "3+3?", "expected": "6", "split": "train"})" "\n"
        R"({"input": "1+1?", "expected": "2", "split": "dev"})" "\n");
    JsonlTask task(path, JsonlMetric::numeric, {});
    ASSERT_EQ(task.split("dev").size(), 2u);
    EXPECT_EQ(task.split("dev")[0].id, "q1");
    EXPECT_EQ(task.split("dev")[0].expected, "4");
    EXPECT_EQ(task.split("dev")[0].extra["source"], "mental");
    EXPECT_EQ(task.split("dev")[1].id, "dev-1");
    EXPECT_EQ(task.split("train")[0].id, "train-0");
    EXPECT_FALSE(task.is_classification());
    EXPECT_THROW(task.split("test"), InputError);
}

// Was: test served the same examples as dev, so the reported test score was contaminated.
TEST(JsonlTask, FileWithoutSplitsServesTrainAndDevButHasNoTestSplit) {
    const std::string path = write_file(fresh_dir() / "d.jsonl",
        "{\"input\": \"a\", \"expected\": \"x\"}\n{\"input\": \"b\", \"expected\": \"y\"}\n");
    JsonlTask task(path, JsonlMetric::exact, {});
    EXPECT_EQ(task.split("train").size(), 2u);
    EXPECT_EQ(task.split("dev")[1].id, "all-1");
    try {
        task.split("test");
        ADD_FAILURE() << "a file without split fields has no test split";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("no held-out test split"), std::string::npos) << e.what();
    }
}

// Was: an error message dumped the value whole, recursing once per level.
TEST(JsonlTask, DeeplyNestedLineIsOneError) {
    const std::string deep = std::string(200000, '[') + std::string(200000, ']');
    const std::string error = error_of("{\"input\": \"a\", \"expected\": \"b\", \"split\": " + deep + "}\n");
    EXPECT_NE(error.find("deeper"), std::string::npos) << error.substr(0, 300);
    EXPECT_LT(error.size(), 300u);
}

// Found by fuzz/jsonl_dataset_fuzz.cpp: 2e308 threw json::out_of_range, not an InputError.
TEST(JsonlTask, NumberTooLargeForADoubleIsOneErrorNamingTheLine) {
    const std::string good = "{\"input\": \"a\", \"expected\": \"x\"}\n";
    EXPECT_NE(error_of(good + "{\"input\": \"b\", \"expected\": 2e308}\n").find("data.jsonl:2: not valid JSON"),
              std::string::npos);
}

// Found by fuzz/jsonl_dataset_fuzz.cpp: a back-reference of many digits made libstdc++'s
// regex compiler overflow a signed integer (UBSan).
TEST(JsonlTask, RegexWithAHugeBackReferenceOrLengthIsOneError) {
    EXPECT_NE(error_of("{\"input\": \"a\", \"expected\": \"(a)\\\\88888888888888888888\"}\n", JsonlMetric::regex)
                  .find(":1: \"expected\" is not a valid regular expression"), std::string::npos);
    EXPECT_NE(error_of("{\"input\": \"a\", \"expected\": \"" + std::string(5000, 'a') + "\"}\n", JsonlMetric::regex)
                  .find("longer than 4096 bytes"), std::string::npos);
    EXPECT_EQ(error_of("{\"input\": \"a\", \"expected\": \"(a)\\\\1 \\\\\\\\ \\\\d+\"}\n", JsonlMetric::regex), "<no error>");
}

TEST(JsonlTask, BadFilesGiveOneErrorNamingFileAndLine) {
    const std::string good = "{\"input\": \"a\", \"expected\": \"x\", \"split\": \"dev\"}\n";
    EXPECT_NE(error_of(good + "{\"input\": \"b\", \n").find("data.jsonl:2: not valid JSON"), std::string::npos);
    EXPECT_NE(error_of(good + "{\"input\": \"b\", \"split\": \"dev\"}\n").find("data.jsonl:2: missing field \"expected\""),
              std::string::npos);
    EXPECT_NE(error_of("{\"expected\": \"b\"}\n").find("data.jsonl:1: missing field \"input\""), std::string::npos);
    EXPECT_NE(error_of("{\"input\": 3, \"expected\": \"b\"}\n").find(":1: field \"input\" must be a string"),
              std::string::npos);
    EXPECT_NE(error_of("[1, 2]\n").find(":1: expected a JSON object"), std::string::npos);
    EXPECT_NE(error_of(good + "{\"input\": \"b\", \"expected\": \"y\", \"split\": \"val\"}\n")
                  .find(":2: field \"split\" must be"), std::string::npos);
    EXPECT_NE(error_of(good + "{\"input\": \"b\", \"expected\": \"y\"}\n").find(":2: missing field \"split\""),
              std::string::npos);
    EXPECT_NE(error_of("{\"input\": \"a\", \"expected\": \"x\", \"id\": 7}\n{\"input\": \"b\", \"expected\": \"y\", \"id\": \"7\"}\n")
                  .find(":2: duplicate id \"7\""), std::string::npos);
    EXPECT_NE(error_of("\n \n").find("data.jsonl: no examples"), std::string::npos);
    EXPECT_NE(error_of("{\"input\": \"a\", \"expected\": \"x(\"}\n", JsonlMetric::regex)
                  .find(":1: \"expected\" is not a valid regular expression"), std::string::npos);
    EXPECT_NE(error_of("{\"input\": \"a\", \"expected\": \"four\"}\n", JsonlMetric::numeric)
                  .find(":1: \"expected\" is not a number"), std::string::npos);
    JsonlOptions labels;
    labels.labels = {"yes", "no"};
    EXPECT_NE(error_of("{\"input\": \"a\", \"expected\": \"yes\"}\n{\"input\": \"b\", \"expected\": \"maybe\"}\n",
                       JsonlMetric::labels, labels)
                  .find("data.jsonl:2: unknown label \"maybe\" (the labels are yes, no)"), std::string::npos);
}

TEST(JsonlTask, EmptySplitNamesTheFile) {
    const std::string path = write_file(fresh_dir() / "d.jsonl",
        "{\"input\": \"a\", \"expected\": \"x\", \"split\": \"train\"}\n");
    JsonlTask task(path, JsonlMetric::exact, {});
    try {
        task.split("dev");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("d.jsonl: split 'dev' has no examples"), std::string::npos) << e.what();
    }
}

TEST(TextMetrics, ExactContainsRegex) {
    EXPECT_EQ(score_exact("Paris", "  paris \n").score, 1.0);
    EXPECT_EQ(score_exact("New York", "new   york").score, 1.0);
    EXPECT_EQ(score_exact("Paris", "Paris.").score, 0.0);
    EXPECT_TRUE(score_exact("Paris", " ").parse_failed);
    EXPECT_EQ(score_contains("paris", "I think it is PARIS.").score, 1.0);
    EXPECT_EQ(score_contains("paris", "Lyon").score, 0.0);
    Scored r = score_regex(R"(\b(4|four)\b)", "The answer: four.");
    EXPECT_EQ(r.score, 1.0);
    EXPECT_EQ(r.parsed, "four");
    EXPECT_EQ(score_regex("^yes$", "yes, sure").score, 0.0);
}

TEST(TextMetrics, NumericReadsTheLastNumber) {
    EXPECT_EQ(*last_number("Step 1: 12 apples, so 1,234.5 in total."), 1234.5);
    EXPECT_EQ(*last_number("x = -3e2"), -300.0);
    EXPECT_FALSE(last_number("no digits").has_value());
    EXPECT_EQ(score_numeric(42, 1e-6, "First 40, then 42").score, 1.0);
    EXPECT_EQ(score_numeric(42, 1e-6, "42 first, then 40").score, 0.0);
    EXPECT_EQ(score_numeric(3.14, 0.01, "about 3.141").score, 1.0);
    Scored none = score_numeric(3, 0, "three");
    EXPECT_TRUE(none.parse_failed);
    EXPECT_NE(none.feedback.find("contains no number"), std::string::npos);
}

TEST(JsonlTask, NumericToleranceFromTheLineWins) {
    const std::string path = write_file(fresh_dir() / "d.jsonl",
        "{\"input\": \"a\", \"expected\": 10, \"tolerance\": 0.5}\n{\"input\": \"b\", \"expected\": 10}\n");
    JsonlOptions options;
    options.tolerance = 0.1;
    JsonlTask task(path, JsonlMetric::numeric, options);
    EXPECT_EQ(task.score(task.split("dev")[0], "10.4").score, 1.0);
    EXPECT_EQ(task.score(task.split("dev")[1], "10.4").score, 0.0);
    EXPECT_EQ(task.score(task.split("dev")[1], "10.05").score, 1.0);
}

TEST(JsonlTask, LabelsMetricIsClassification) {
    const std::string path = write_file(fresh_dir() / "d.jsonl",
        "{\"input\": \"a\", \"expected\": \"spam\"}\n{\"input\": \"b\", \"expected\": \"not spam\"}\n");
    JsonlTask task(path, JsonlMetric::labels, {});
    ASSERT_TRUE(task.is_classification());
    EXPECT_EQ(task.labels(), (std::vector<std::string>{"spam", "not spam"}));
    EXPECT_EQ(task.score(task.split("dev")[1], "Not spam.").parsed, "not spam");  // longest match
    EXPECT_EQ(task.score(task.split("dev")[0], "Spam!").score, 1.0);
}

TEST(JsonlTask, JudgeMetricCallsTheJudgeAndCountsIt) {
    const std::string path = write_file(fresh_dir() / "d.jsonl",
        "{\"input\": \"Explain rain.\", \"expected\": \"water cycle\"}\n");
    ScriptedModel judge;
    JsonlOptions options;
    options.rubric = "Mentions evaporation and condensation.";
    JsonlTask task(path, JsonlMetric::judge, options, &judge);
    // The judge sees the rubric, question, reference and answer in its user message.
    const std::string user = judge_messages(options.rubric, "Explain rain.", "water cycle", "Clouds.")[1].content;
    judge.on(user, "```json\n{\"score\": 0.4, \"critique\": \"No condensation.\"}\n```");
    Scored s = task.score(task.split("dev")[0], "Clouds.");
    EXPECT_DOUBLE_EQ(s.score, 0.4);
    EXPECT_EQ(s.feedback, "Judge score 0.40: No condensation.");
    EXPECT_EQ(s.judge_calls, 1);
    EXPECT_GT(s.judge_usage.prompt_tokens, 0);
    ASSERT_EQ(judge.requests().size(), 1u);
    EXPECT_EQ(judge.requests()[0].messages[0].role, "system");

    judge.on(user, "I like it a lot.", /*cached=*/true);
    Scored bad = task.score(task.split("dev")[0], "Clouds.");
    EXPECT_TRUE(bad.parse_failed);
    EXPECT_EQ(bad.score, 0.0);
    EXPECT_EQ(bad.judge_calls, 0);  // a cache hit is not a call
    EXPECT_NE(bad.feedback.find("could not be read as a score"), std::string::npos);
}

TEST(JsonlTask, JudgeNeedsAModelAndARubric) {
    const std::string path = write_file(fresh_dir() / "d.jsonl", "{\"input\": \"a\", \"expected\": \"b\"}\n");
    EXPECT_THROW(JsonlTask(path, JsonlMetric::judge, {}, nullptr), UsageError);
    ScriptedModel judge;
    EXPECT_THROW(JsonlTask(path, JsonlMetric::judge, {}, &judge), UsageError);
}

}  // namespace
}  // namespace remask
