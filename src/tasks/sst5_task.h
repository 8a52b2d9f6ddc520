#pragma once
// SST-5: fine-grained sentiment of movie-review sentences (original casing), labels
// "very negative", "negative", "neutral", "positive", "very positive".
// Splits: <data dir>/sst5/sst_{train,dev,test}.txt, `__label__k<TAB>sentence` with k = 1..5
// (1 = very negative … 5 = very positive); 8,544 / 1,101 / 2,210 sentences.
// Example ids are "<split>-<row>" (0-based row among the split's sentences).

#include <string>

#include "tasks/classification_task.h"

namespace remask {

class Sst5Task : public ClassificationTask {
public:
    // data_dir: the folder holding sst5/. Throws InputError naming the file and line of any
    // malformed row or unknown label.
    explicit Sst5Task(const std::string& data_dir);
};

}  // namespace remask
