#pragma once
// People's feedback on examples, merged into the traces proposers see and the scores the
// loop compares. From a feedback file (`--feedback FILE`, JSONL) or from --review.
//
// One line per remark, matched by example id, else by the exact input text:
//   {"id": "val-17", "comment": "sarcasm: this is negative", "score": 0}
//   {"input": "a gorgeous, witty film", "comment": "clearly positive"}
// `score` (optional, in [0, 1]) replaces the metric's score for that example.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "optimize/trace.h"

namespace remask::optimize {

struct HumanFeedback {
    std::string comment;
    std::optional<double> score;
};

class FeedbackBook {
  public:
    // Throws InputError naming "FILE:LINE" and the field at fault.
    static FeedbackBook load(const std::string& path);

    void add_for_id(const std::string& id, HumanFeedback feedback);
    void add_for_input(const std::string& input, HumanFeedback feedback);
    bool empty() const { return by_id_.empty() && by_input_.empty(); }

    // Appends "Reviewer: <comment>" to the feedback of matching traces and applies scores.
    void apply(std::vector<Trace>& traces) const;

  private:
    std::map<std::string, std::vector<HumanFeedback>> by_id_;
    std::map<std::string, std::vector<HumanFeedback>> by_input_;
};

}  // namespace remask::optimize
