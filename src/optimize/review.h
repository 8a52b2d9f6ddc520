#pragma once
// --review: a person looks at each iteration's traces and children before the loop decides,
// and may comment on examples, leave notes for the proposer, veto a child or pick one.
// Decisions are journaled, so a resumed run replays them instead of asking again.

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "optimize/span_diff.h"
#include "optimize/trace.h"

namespace remask::optimize {

struct ReviewChild {
    std::string id;
    std::string prompt;
    std::vector<EditSpan> edits;
    double minibatch_score = 0;
};

struct ReviewView {
    int64_t iteration = 0;
    std::string parent_id;
    std::string parent_prompt;
    double parent_score = 0;
    std::vector<Trace> traces;  // the parent's on this minibatch
    std::vector<ReviewChild> children;
};

struct ReviewDecision {
    std::vector<std::string> vetoed;              // child ids never accepted
    std::string picked;                           // child id accepted even if not better
    std::map<std::string, std::string> comments;  // example id -> comment (kept for later traces)
    std::string notes;                            // shown to the proposer from now on
    bool stop = false;                            // end the run after this iteration
};

nlohmann::json to_json(const ReviewDecision& d);
ReviewDecision review_from_json(const nlohmann::json& j);

class Reviewer {
  public:
    virtual ~Reviewer() = default;
    virtual ReviewDecision review(const ReviewView& view) = 0;
};

// Shows the view on `out` and reads commands from `in`, one per line, until an empty line,
// "ok" or end of input:
//   veto N|ID   pick N|ID   comment EXAMPLE_ID TEXT   note TEXT   stop   help
std::unique_ptr<Reviewer> make_terminal_reviewer(std::istream& in, std::ostream& out);

// The review page serving one run directory while its loop runs (`--review-web PORT`);
// destroying it stops serving. src/review/ implements it (the optimizer only sees this).
class LiveReview {
  public:
    virtual ~LiveReview() = default;
    // The page's decisions, for `[optimizer] review = "web"`.
    virtual Reviewer& reviewer() = 0;
};

// Starts the page for `run_dir`; `decides` = the loop waits for its decisions.
using LiveReviewFactory =
    std::function<std::unique_ptr<LiveReview>(const std::string& run_dir, bool decides)>;

}  // namespace remask::optimize
