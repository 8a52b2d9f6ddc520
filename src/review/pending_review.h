#pragma once
// The iteration waiting for the review page's decision ([optimizer] review = "web"): the
// loop's thread publishes the children and blocks; request threads read them and decide.
//
//   loop thread:     ReviewDecision d = pending.wait_for_decision(view, interrupted);
//   request thread:  pending.decide("veto", "c3_1", record);  ... decide("continue", "", record);
//
// veto and pick gather until continue or stop ends the wait. There is no timeout: the loop
// waits until someone decides or the run is interrupted (Ctrl-C).

#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "optimize/review.h"

namespace remask::review {

class PendingReview {
  public:
    // Blocks until continue/stop; throws optimize::Interrupted once interrupted() is true.
    optimize::ReviewDecision wait_for_decision(const optimize::ReviewView& view,
                                               const std::function<bool()>& interrupted);

    // {"waiting": false} or {"waiting": true, "iteration", "parent": {"id", "prompt",
    //  "minibatch_score"}, "traces": [...], "children": [{"id", "prompt", "edits",
    //  "minibatch_score", "vetoed", "picked"}]}
    nlohmann::json pending() const;
    bool waiting() const;

    // action: veto | pick | continue | stop; child: a pending child's id (veto, pick).
    // Throws api::HttpError: 409 when nothing waits, 400 for a bad action, 404 for an
    // unknown child. `record(iteration)` runs after the checks and before the decision
    // takes effect (it appends the line to feedback.jsonl; if it throws, nothing changes).
    nlohmann::json decide(const std::string& action, const std::string& child,
                          const std::function<void(int64_t iteration)>& record);

  private:
    nlohmann::json pending_locked() const;

    mutable std::mutex mutex_;
    std::condition_variable decided_;
    std::optional<optimize::ReviewView> view_;
    optimize::ReviewDecision decision_;
    bool done_ = false;
};

}  // namespace remask::review
