#pragma once
// The shared part of label tasks (sst2, sst5, jsonl with metric "labels"): splits of
// examples whose `expected` is a label name, and scoring by LabelParser (label_parser.h)
// with a feedback sentence per reply. A task file only loads its data.

#include <map>
#include <string>
#include <vector>

#include "tasks/label_parser.h"
#include "tasks/task.h"

namespace remask {

// The examples of train/dev/test and the file each came from (for messages).
class ExampleSplits {
public:
    void add(const std::string& split, Example example);
    void set_source(const std::string& split, const std::string& source);
    // Throws InputError for an unknown split name or an empty split, naming the source.
    const std::vector<Example>& get(const std::string& split, const std::string& task_name) const;
    size_t size(const std::string& split) const;

private:
    std::map<std::string, std::vector<Example>> splits_;
    std::map<std::string, std::string> sources_;
};

// One classification reply scored: 1 when the parsed label is the expected one, else 0.
Scored score_label_reply(const LabelParser& parser, const std::string& expected,
                         const std::string& reply);

class ClassificationTask : public SingleTurnTask {
public:
    ClassificationTask(std::string name, std::vector<std::string> labels);

    std::string name() const override { return name_; }
    const std::vector<Example>& split(const std::string& name) const override;
    const std::vector<std::string>& labels() const override { return parser_.labels(); }
    Scored score(const Example& example, const std::string& reply) const override;
    int64_t typical_reply_tokens() const override { return 4; }

protected:
    ExampleSplits splits_;

private:
    std::string name_;
    LabelParser parser_;
};

}  // namespace remask
