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
//   webhook   the user's scorer grades it: a URL or a program ([scorer], scorer.h); for
//   exec      these two "expected" is optional and passed on when present
//
// Multi-turn lines carry "messages" (earlier turns, OpenAI format: objects with "role"
// user or assistant and string "content", the last one a user turn) instead of "input".
// The target sees the system prompt, then those turns, and answers the last user turn;
// Example::input holds the conversation compactly ("[user] ... / [assistant] ...") for
// traces, reports and the judge.
// Bad files throw one InputError naming the file and line: malformed JSON, a missing or
// mistyped field, an unknown split, a duplicate id, an invalid regex, a non-numeric expected
// value, an expected label outside the given label set.

#include <memory>
#include <string>
#include <vector>

#include "tasks/classification_task.h"
#include "tasks/scorer.h"
#include "tasks/task.h"

namespace remask {

enum class JsonlMetric { exact, contains, regex, labels, numeric, judge, webhook, exec };

// Throws InputError for a name that is not one of the metrics above.
JsonlMetric parse_jsonl_metric(const std::string& name);

struct JsonlOptions {
    double tolerance = 1e-6;          // numeric
    std::vector<std::string> labels;  // labels: the label set; empty = every distinct expected
    std::string rubric;               // judge: what a good answer is
    std::shared_ptr<Scorer> scorer;   // webhook / exec (make_scorer in scorer.h)
};

class JsonlTask : public SingleTurnTask {
public:
    // judge: the model grading replies (metric judge only; must outlive the task).
    JsonlTask(const std::string& path, JsonlMetric metric, JsonlOptions options,
              LanguageModel* judge = nullptr);

    std::string name() const override { return "jsonl"; }
    const std::vector<Example>& split(const std::string& name) const override;
    const std::vector<std::string>& labels() const override { return labels_; }
    // webhook / exec: the scorer gets an empty prompt here; attempt() passes the real one.
    Scored score(const Example& example, const std::string& reply) const override;
    std::vector<ChatMessage> messages(const std::string& system_prompt, const Example& example) const override;
    Attempt attempt(const std::string& system_prompt, const Example& example,
                    LanguageModel& target) const override;
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
