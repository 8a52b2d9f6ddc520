#include "tasks/sst5_task.h"

#include "core/error.h"
#include "tasks/dataset_files.h"

namespace remask {
namespace {

const std::vector<std::string> kSst5Labels = {"very negative", "negative", "neutral", "positive",
                                          "very positive"};

}  // namespace

Sst5Task::Sst5Task(const std::string& data_dir) : ClassificationTask("sst5", kSst5Labels) {
    for (const std::string split : {"train", "dev", "test"}) {
        const std::string file = data_dir + "/sst5/sst_" + split + ".txt";
        splits_.set_source(split, file);
        for (const auto& line : read_numbered_lines(file)) {
            if (trim(line.text).empty()) continue;
            const std::string where = file_line(file, line.number);
            const auto fields = split_tabs(line.text);
            if (fields.size() != 2)
                throw InputError(where, "expected '__label__k<TAB>sentence'");
            const std::string& tag = fields[0];
            const std::string prefix = "__label__";
            const std::string digit = tag.substr(0, prefix.size()) == prefix ? tag.substr(prefix.size()) : "";
            if (digit.size() != 1 || digit[0] < '1' || digit[0] > '5')
                throw InputError(where, "unknown label '" + tag + "' (SST-5 labels are __label__1 .. __label__5)");
            const std::string sentence = trim(fields[1]);
            if (sentence.empty()) throw InputError(where, "the sentence is empty");
            Example e;
            e.id = split + "-" + std::to_string(splits_.size(split));
            e.split = split;
            e.input = sentence;
            e.expected = kSst5Labels[static_cast<size_t>(digit[0] - '1')];
            splits_.add(split, std::move(e));
        }
    }
}

}  // namespace remask
