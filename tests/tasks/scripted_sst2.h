#pragma once
// The scripted SST-2 case shared by the evaluator and `remask eval` tests: ten dev
// sentences s0..s9 (s0–s5 positive, s6–s9 negative) and the target's replies to them:
// 5 right, 2 wrong, 3 unparseable (no label, only a negated label, empty). By hand:
// accuracy 5/10, parse failures 3, F1(positive) = 0.6, F1(negative) = 4/7.

#include <filesystem>
#include <map>
#include <string>

#include "temp_dir.h"

namespace remask::testing {

inline std::string scripted_sentence(int i) {
    std::string s = "s";  // (built in steps: GCC 12 warns falsely on "s" + std::to_string)
    s += std::to_string(i);
    return s;
}

// Writes <dir>/sst2/{glue_dev.tsv, stsa.binary.train, glue_test_labeled_from_trees.tsv}.
inline void write_scripted_sst2(const std::filesystem::path& dir) {
    std::string dev = "sentence\tlabel\n";
    for (int i = 0; i < 10; ++i) {
        dev += scripted_sentence(i);
        dev += i < 6 ? "\t1\n" : "\t0\n";
    }
    write_file(dir / "sst2/glue_dev.tsv", dev);
    write_file(dir / "sst2/stsa.binary.train", "1 t0\n");
    write_file(dir / "sst2/glue_test_labeled_from_trees.tsv", "label_from_ptb\tsentence\n1\tu0\n");
}

inline std::map<std::string, std::string> scripted_replies() {
    const char* replies[] = {"Positive.", "positive", "The sentiment is negative.", "I can't tell",
                             "Positive, though with negative moments", "not negative",
                             "negative", "NEGATIVE!!", "positive", ""};
    std::map<std::string, std::string> script;
    for (int i = 0; i < 10; ++i) script[scripted_sentence(i)] = replies[i];
    return script;
}

}  // namespace remask::testing
