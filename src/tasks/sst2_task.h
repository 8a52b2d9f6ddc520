#pragma once
// SST-2: binary sentiment of movie-review sentences, labels "negative" and "positive".
// Splits (files under <data dir>/sst2/, see data/README.md):
//   train  stsa.binary.train                  `<0|1> <sentence>`       6,920
//   dev    glue_dev.tsv                       header; sentence, label  872
//   test   glue_test_labeled_from_trees.tsv   header; sentence, label_from_ptb  1,821
// Example ids are "<split>-<row>" (0-based row among the split's sentences).

#include <string>

#include "tasks/classification_task.h"

namespace remask {

class Sst2Task : public ClassificationTask {
public:
    // data_dir: the folder holding sst2/. Throws InputError naming the file and line of any
    // malformed row or unknown label.
    explicit Sst2Task(const std::string& data_dir);
};

}  // namespace remask
