#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "core/error.h"
#include "tasks/registry.h"
#include "tasks/sst2_task.h"
#include "tasks/sst5_task.h"
#include "temp_dir.h"

namespace remask {
namespace {

using testing::fresh_dir;
using testing::write_file;

const std::string kData = std::string(REMASK_SOURCE_DIR) + "/data";

std::map<std::string, size_t> label_counts(const std::vector<Example>& examples) {
    std::map<std::string, size_t> counts;
    for (const auto& e : examples) counts[e.expected] += 1;
    return counts;
}

TEST(Sst2Task, BundledSplitsHaveTheDocumentedSizesAndLabels) {
    Sst2Task task(kData);
    EXPECT_EQ(task.split("train").size(), 6920u);
    EXPECT_EQ(task.split("dev").size(), 872u);
    EXPECT_EQ(task.split("test").size(), 1821u);
    const auto dev = label_counts(task.split("dev"));
    EXPECT_EQ(dev.at("negative"), 428u);
    EXPECT_EQ(dev.at("positive"), 444u);
    const Example& first = task.split("dev")[0];
    EXPECT_EQ(first.id, "dev-0");
    EXPECT_EQ(first.input, "it 's a charming and often affecting journey .");  // trailing space trimmed
    EXPECT_EQ(first.expected, "positive");
    EXPECT_EQ(task.split("train")[1].expected, "negative");
    EXPECT_EQ(task.split("test")[0].input, "uneasy mishmash of styles and genres .");
}

TEST(Sst5Task, BundledSplitsHaveTheDocumentedSizesAndLabels) {
    Sst5Task task(kData);
    EXPECT_EQ(task.split("train").size(), 8544u);
    EXPECT_EQ(task.split("dev").size(), 1101u);
    EXPECT_EQ(task.split("test").size(), 2210u);
    const auto dev = label_counts(task.split("dev"));
    EXPECT_EQ(dev.at("very negative"), 139u);
    EXPECT_EQ(dev.at("negative"), 289u);
    EXPECT_EQ(dev.at("neutral"), 229u);
    EXPECT_EQ(dev.at("positive"), 279u);
    EXPECT_EQ(dev.at("very positive"), 165u);
    EXPECT_EQ(task.split("train")[0].expected, "positive");  // __label__4
    EXPECT_EQ(task.split("train")[0].input.substr(0, 8), "The Rock");  // original casing
}

TEST(SingleTurnTask, SystemPromptIsTheSystemMessageAndTheSentenceAloneTheUserMessage) {
    Sst2Task task(kData);
    const Example& e = task.split("dev")[3];
    const auto messages = task.messages("Classify the sentiment.", e);
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].role, "system");
    EXPECT_EQ(messages[0].content, "Classify the sentiment.");
    EXPECT_EQ(messages[1].role, "user");
    EXPECT_EQ(messages[1].content, e.input);
    EXPECT_EQ(task.messages("", e).size(), 1u);
}

TEST(ClassificationTask, FeedbackSaysWhatWasExpectedAndWhatCameBack) {
    Sst5Task task(kData);
    Example e;
    e.expected = "very positive";
    Scored right = task.score(e, "Very positive!");
    EXPECT_EQ(right.score, 1.0);
    EXPECT_EQ(right.parsed, "very positive");
    Scored wrong = task.score(e, "positive");
    EXPECT_EQ(wrong.score, 0.0);
    EXPECT_FALSE(wrong.parse_failed);
    EXPECT_EQ(wrong.feedback, "Wrong: expected \"very positive\" but the reply answered \"positive\".");
    Scored none = task.score(e, "Hard to say.");
    EXPECT_TRUE(none.parse_failed);
    EXPECT_EQ(none.score, 0.0);
    EXPECT_NE(none.feedback.find("names none of the labels"), std::string::npos) << none.feedback;
    EXPECT_NE(none.feedback.find("counted as wrong"), std::string::npos);
    Scored negated = task.score(e, "not negative");
    EXPECT_NE(negated.feedback.find("negated form (\"not negative\")"), std::string::npos) << negated.feedback;
    EXPECT_NE(task.score(e, "").feedback.find("empty"), std::string::npos);
}

TEST(Task, StratifiedSubsetIsDeterministicAndKeepsLabelShares) {
    Sst2Task task(kData);
    const auto a = task.subset("dev", 100, 3);
    ASSERT_EQ(a.size(), 100u);
    const auto counts = label_counts(a);
    // 100·428/872 = 49.08, 100·444/872 = 50.92 → 49 + 51 by largest remainder.
    EXPECT_EQ(counts.at("negative"), 49u);
    EXPECT_EQ(counts.at("positive"), 51u);
    const auto b = task.subset("dev", 100, 3);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_NE(task.subset("dev", 100, 4)[0].id + task.subset("dev", 100, 4)[1].id, a[0].id + a[1].id);
    EXPECT_EQ(task.subset("dev", 0, 3).size(), 872u);
}

TEST(Task, UnknownSplitIsAnInputError) {
    Sst2Task task(kData);
    EXPECT_THROW(task.split("validation"), InputError);
}

TEST(Registry, MakesTasksByNameAndRejectsUnknownNames) {
    TaskSettings settings;
    settings.name = "sst5";
    TaskContext context;
    context.data_dir = kData;
    EXPECT_EQ(make_task(settings, context)->labels().size(), 5u);
    settings.name = "sst3";
    try {
        make_task(settings, context);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("sst2, sst5, jsonl"), std::string::npos) << e.what();
    }
}

// Bad bundled-format data: one clear error naming the file and line.
std::string task_error_of(const std::function<void()>& load) {
    try {
        load();
    } catch (const InputError& e) {
        return e.what();
    }
    return "<no error>";
}

void write_good_sst2(const std::filesystem::path& dir) {
    write_file(dir / "sst2/stsa.binary.train", "1 good film\n0 bad film\n");
    write_file(dir / "sst2/glue_dev.tsv", "sentence\tlabel\nnice .\t1\nawful .\t0\n");
    write_file(dir / "sst2/glue_test_labeled_from_trees.tsv",
               "index\tlabel_from_ptb\tsentence\n0\t1\tfine .\n");
}

TEST(Sst2Task, UnknownLabelNamesFileAndLine) {
    const auto dir = fresh_dir();
    write_good_sst2(dir);
    write_file(dir / "sst2/glue_dev.tsv", "sentence\tlabel\nnice .\t1\nmeh .\t2\n");
    const std::string error = task_error_of([&] { Sst2Task task(dir.string()); });
    EXPECT_NE(error.find("glue_dev.tsv:3: unknown label '2'"), std::string::npos) << error;
}

TEST(Sst2Task, MalformedRowsNameFileAndLine) {
    const auto dir = fresh_dir();
    write_good_sst2(dir);
    write_file(dir / "sst2/stsa.binary.train", "1 good film\n0 bad film\nx\n");
    EXPECT_NE(task_error_of([&] { Sst2Task task(dir.string()); }).find("stsa.binary.train:3:"), std::string::npos);
    write_good_sst2(dir);
    write_file(dir / "sst2/glue_dev.tsv", "sentence\tlabel\nnice .\t1\textra\n");
    EXPECT_NE(task_error_of([&] { Sst2Task task(dir.string()); }).find("glue_dev.tsv:2: has 3 tab-separated fields"),
              std::string::npos);
    write_good_sst2(dir);
    write_file(dir / "sst2/glue_test_labeled_from_trees.tsv", "index\tsentence\n0\tfine .\n");
    EXPECT_NE(task_error_of([&] { Sst2Task task(dir.string()); }).find("header has no column 'label_from_ptb'"),
              std::string::npos);
}

TEST(Sst2Task, EmptySplitNamesTheFile) {
    const auto dir = fresh_dir();
    write_good_sst2(dir);
    write_file(dir / "sst2/glue_test_labeled_from_trees.tsv", "index\tlabel_from_ptb\tsentence\n");
    Sst2Task task(dir.string());
    const std::string error = task_error_of([&] { task.split("test"); });
    EXPECT_NE(error.find("glue_test_labeled_from_trees.tsv: split 'test' has no examples"), std::string::npos)
        << error;
}

TEST(Sst5Task, UnknownLabelAndMissingFileAreClear) {
    const auto dir = fresh_dir();
    write_file(dir / "sst5/sst_train.txt", "__label__1\tawful\n");
    write_file(dir / "sst5/sst_dev.txt", "__label__3\tfine\n__label__6\twhat\n");
    write_file(dir / "sst5/sst_test.txt", "__label__5\tgreat\n");
    EXPECT_NE(task_error_of([&] { Sst5Task task(dir.string()); }).find("sst_dev.txt:2: unknown label '__label__6'"),
              std::string::npos);
    std::filesystem::remove(dir / "sst5/sst_test.txt");
    write_file(dir / "sst5/sst_dev.txt", "__label__3\tfine\n");
    EXPECT_NE(task_error_of([&] { Sst5Task task(dir.string()); }).find("sst_test.txt: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace remask
