#include "tasks/classification_task.h"

#include "core/error.h"

namespace remask {
namespace {

std::string in_quotes(const std::string& text) { return "\"" + text + "\""; }

std::string label_list(const std::vector<std::string>& labels) {
    std::string out;
    for (const auto& label : labels) out += (out.empty() ? "" : ", ") + label;
    return out;
}

}  // namespace

void ExampleSplits::add(const std::string& split, Example example) {
    splits_[split].push_back(std::move(example));
}

void ExampleSplits::set_source(const std::string& split, const std::string& source) {
    sources_[split] = source;
}

size_t ExampleSplits::size(const std::string& split) const {
    const auto it = splits_.find(split);
    return it == splits_.end() ? 0 : it->second.size();
}

const std::vector<Example>& ExampleSplits::get(const std::string& split,
                                               const std::string& task_name) const {
    if (split != "train" && split != "dev" && split != "test")
        throw InputError("split '" + split + "'", "unknown split: use train, dev or test");
    const auto it = splits_.find(split);
    if (it == splits_.end() || it->second.empty()) {
        const auto source = sources_.find(split);
        const std::string where = source == sources_.end() ? "task " + task_name : source->second;
        throw InputError(where, "split '" + split + "' has no examples");
    }
    return it->second;
}

Scored score_label_reply(const LabelParser& parser, const std::string& expected,
                         const std::string& reply) {
    Scored s;
    const LabelParse p = parser.parse(reply);
    switch (p.outcome) {
        case LabelParse::Outcome::found:
            s.parsed = parser.labels()[static_cast<size_t>(p.label)];
            s.score = s.parsed == expected ? 1.0 : 0.0;
            s.feedback = s.score == 1.0
                             ? "Correct: expected " + in_quotes(expected) + " and the reply answered " +
                                   in_quotes(s.parsed) + "."
                             : "Wrong: expected " + in_quotes(expected) + " but the reply answered " +
                                   in_quotes(s.parsed) + ".";
            return s;
        case LabelParse::Outcome::empty_reply:
            s.feedback = "Unparseable: expected " + in_quotes(expected) +
                         " but the reply was empty; counted as wrong.";
            break;
        case LabelParse::Outcome::no_label:
            s.feedback = "Unparseable: expected " + in_quotes(expected) +
                         " but the reply names none of the labels (" + label_list(parser.labels()) +
                         "); counted as wrong.";
            break;
        case LabelParse::Outcome::only_negated:
            s.feedback = "Unparseable: expected " + in_quotes(expected) +
                         " but the reply names labels only in negated form (" +
                         in_quotes(p.negated_mention) + "); counted as wrong.";
            break;
    }
    s.parse_failed = true;
    s.score = 0.0;
    return s;
}

ClassificationTask::ClassificationTask(std::string name, std::vector<std::string> labels)
    : name_(std::move(name)), parser_(std::move(labels)) {}

const std::vector<Example>& ClassificationTask::split(const std::string& name) const {
    return splits_.get(name, name_);
}

Scored ClassificationTask::score(const Example& example, const std::string& reply) const {
    return score_label_reply(parser_, example.expected, reply);
}

}  // namespace remask
