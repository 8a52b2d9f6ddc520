#pragma once
// People's feedback on examples, merged into the traces proposers see and the scores the
// loop compares. From a feedback file (`--feedback FILE`, JSONL), from --review, or from
// the review page (`remask review`, `--review-web`), which appends to RUN_DIR/feedback.jsonl.
//
// One line per remark; examples are matched by id, else by the exact input text:
//   {"id": "val-17", "comment": "sarcasm: this is negative", "score": 0}
//   {"input": "a gorgeous, witty film", "comment": "clearly positive"}
//   {"note": "Answer with one word."}                       (a note for the proposer)
//   {"decision": "veto", "child": "c3_1", "iteration": 3}   (the page's decisions)
// `score` (optional, in [0, 1]) replaces the metric's score for that example. Every line
// may also carry "author", "time" (ISO 8601) and "candidate" (the one the person looked at).
// Decisions belong to the run that asked for them (its journal replays them); a book built
// from another run's file keeps example remarks and notes and skips decisions.

#include <map>
#include <nlohmann/json.hpp>
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

    // Checks one line (throws InputError naming `where` and the field) and keeps it.
    void add_entry(const nlohmann::json& entry, const std::string& where);
    void add_for_id(const std::string& id, HumanFeedback feedback);
    void add_for_input(const std::string& input, HumanFeedback feedback);
    bool empty() const { return by_id_.empty() && by_input_.empty() && notes_.empty(); }

    // Appends "Reviewer: <comment>" to the feedback of matching traces and applies scores.
    void apply(std::vector<Trace>& traces) const;
    // The notes, one per line, in the order they came.
    std::string notes() const;

  private:
    std::map<std::string, std::vector<HumanFeedback>> by_id_;
    std::map<std::string, std::vector<HumanFeedback>> by_input_;
    std::vector<std::string> notes_;
};

// Throws InputError (naming `where`) when `entry` is not a valid feedback line.
void check_feedback_entry(const nlohmann::json& entry, const std::string& where);

}  // namespace remask::optimize
