#include "tasks/sst2_task.h"

#include "core/error.h"
#include "tasks/dataset_files.h"

namespace remask {
namespace {

const std::vector<std::string> kSst2Labels = {"negative", "positive"};

std::string label_from_digit(const std::string& value, const std::string& where) {
    if (value == "0") return kSst2Labels[0];
    if (value == "1") return kSst2Labels[1];
    throw InputError(where, "unknown label '" + value + "' (SST-2 labels are 0 and 1)");
}

Example make_example(const std::string& split, size_t row, const std::string& sentence,
                     std::string label, const std::string& where) {
    if (sentence.empty()) throw InputError(where, "the sentence is empty");
    Example e;
    e.id = split + "-" + std::to_string(row);
    e.split = split;
    e.input = sentence;
    e.expected = std::move(label);
    return e;
}

}  // namespace

Sst2Task::Sst2Task(const std::string& data_dir) : ClassificationTask("sst2", kSst2Labels) {
    const std::string dir = data_dir + "/sst2/";

    // train: "<label> <lowercased sentence>"
    const std::string train_file = dir + "stsa.binary.train";
    splits_.set_source("train", train_file);
    for (const auto& line : read_numbered_lines(train_file)) {
        if (trim(line.text).empty()) continue;
        const std::string where = file_line(train_file, line.number);
        const size_t space = line.text.find(' ');
        if (space == std::string::npos) throw InputError(where, "expected '<label> <sentence>'");
        const std::string label = label_from_digit(line.text.substr(0, space), where);
        splits_.add("train", make_example("train", splits_.size("train"),
                                          trim(line.text.substr(space + 1)), label, where));
    }

    // dev and test: tab-separated with a header.
    struct TsvSplit {
        const char* split;
        const char* file;
        const char* label_column;
    };
    for (const TsvSplit& s : {TsvSplit{"dev", "glue_dev.tsv", "label"},
                              TsvSplit{"test", "glue_test_labeled_from_trees.tsv", "label_from_ptb"}}) {
        const std::string file = dir + s.file;
        splits_.set_source(s.split, file);
        for (const auto& row : read_tsv_with_header(file, {"sentence", s.label_column})) {
            const std::string where = file_line(file, row.line);
            const std::string label = label_from_digit(trim(row.fields.at(s.label_column)), where);
            splits_.add(s.split, make_example(s.split, splits_.size(s.split),
                                              trim(row.fields.at("sentence")), label, where));
        }
    }
}

}  // namespace remask
