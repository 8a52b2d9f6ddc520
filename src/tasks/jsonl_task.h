#pragma once
// `jsonl`: any dataset of one JSON object per line,
//   {"input": "...", "expected": "...", "id": "q1", "split": "dev", ...}
// "input" (string) and "expected" (string or number) are required; "id" (string or number)
// and "split" (train | dev | test) are optional; every other field is kept in Example::extra.
// Ids default to "<split>-<row>" ("all-<row>" when the file has no splits). A file whose lines
// have no "split" serves train and dev with all its examples and has no test split (a
// warning says so; nothing is held out); a file where some lines have one must give it on
// every line.
//
// Metrics (how `expected` is read; docs/tasks.md has the details):
//   exact     reply == expected after trimming, collapsing whitespace and ignoring case
//   contains  expected occurs in the reply, ignoring case
//   regex     expected is an ECMAScript regular expression found somewhere in the reply
//   labels    expected is a label; the reply is read by LabelParser; classification metrics
//   numeric   the last number in the reply is within `tolerance` of expected (absolute;
//             a line's own "tolerance" field wins)
//   judge     an LLM judge grades the reply with a rubric (judge.h); score in [0, 1]
// Bad files throw one InputError naming the file and line: malformed JSON, a missing or
// mistyped field, an unknown split, a duplicate id, an invalid regex, a non-numeric expected
// value, an expected label outside the given label set.

#include <memory>
#include <string>
#include <vector>

#include "tasks/classification_task.h"
#include "tasks/task.h"

namespace remask {

enum class JsonlMetric { exact, contains, regex, labels, numeric, judge };

// Throws InputError for a name that is not one of the metrics above.
JsonlMetric parse_jsonl_metric(const std::string& name);

struct JsonlOptions {
    double tolerance = 1e-6;          // numeric
    std::vector<std::string> labels;  // labels: the label set; empty = every distinct expected
    std::string rubric;               // judge: what a good answer is
};

class JsonlTask : public SingleTurnTask {
public:
    // judge: the model grading replies (metric judge only; must outlive the task).
    JsonlTask(const std::string& path, JsonlMetric metric, JsonlOptions options,
              LanguageModel* judge = nullptr);

    std::string name() const override { return "jsonl"; }
    const std::vector<Example>& split(const std::string& name) const override;
    const std::vector<std::string>& labels() const override { return labels_; }
    Scored score(const Example& example, const std::string& reply) const override;
    int64_t typical_reply_tokens() const override;

private:
    Scored score_judge(const Example& example, const std::string& reply) const;

    std::string path_;
    JsonlMetric metric_;
    JsonlOptions options_;
    LanguageModel* judge_;
    ExampleSplits splits_;
    bool has_split_fields_ = false;  // without them: no test split
    std::vector<std::string> labels_;  // labels metric only
    std::unique_ptr<LabelParser> parser_;
};

}  // namespace remask
