#include "review/pending_review.h"

#include <algorithm>
#include <chrono>

#include "optimize/journal_memo.h"
#include "optimize/optimizer.h"
#include "server/api_schema.h"

namespace remask::review {

using nlohmann::json;

optimize::ReviewDecision PendingReview::wait_for_decision(
    const optimize::ReviewView& view, const std::function<bool()>& interrupted) {
    std::unique_lock<std::mutex> lock(mutex_);
    view_ = view;
    decision_ = {};
    done_ = false;
    // Woken by a decision; the short slices only notice Ctrl-C.
    while (!done_) {
        decided_.wait_for(lock, std::chrono::milliseconds(200));
        if (!done_ && interrupted && interrupted()) {
            view_.reset();
            throw optimize::Interrupted("review",
                                        "interrupted while waiting for a review decision");
        }
    }
    view_.reset();
    return decision_;
}

bool PendingReview::waiting() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return view_.has_value() && !done_;
}

json PendingReview::pending() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_locked();
}

json PendingReview::pending_locked() const {
    if (!view_ || done_) return {{"waiting", false}};
    json traces = json::array();
    for (const optimize::Trace& t : view_->traces) traces.push_back(optimize::to_json(t));
    json children = json::array();
    for (const optimize::ReviewChild& c : view_->children) {
        json edits = json::array();
        for (const optimize::EditSpan& e : c.edits)
            edits.push_back({{"before", e.before}, {"after", e.after}});
        const bool vetoed = std::find(decision_.vetoed.begin(), decision_.vetoed.end(), c.id) !=
                            decision_.vetoed.end();
        children.push_back({{"id", c.id},
                            {"prompt", c.prompt},
                            {"edits", edits},
                            {"minibatch_score", c.minibatch_score},
                            {"vetoed", vetoed},
                            {"picked", decision_.picked == c.id}});
    }
    return {{"waiting", true},
            {"iteration", view_->iteration},
            {"parent",
             {{"id", view_->parent_id},
              {"prompt", view_->parent_prompt},
              {"minibatch_score", view_->parent_score}}},
            {"traces", traces},
            {"children", children}};
}

json PendingReview::decide(const std::string& action, const std::string& child,
                           const std::function<void(int64_t)>& record) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!view_ || done_)
        throw api::HttpError(409, "conflict", "the run is not waiting for a review decision");
    if (action != "veto" && action != "pick" && action != "continue" && action != "stop")
        throw api::HttpError(400, "invalid_request_error",
                             "'action' must be veto, pick, continue or stop");
    if (action == "veto" || action == "pick") {
        const bool known =
            std::any_of(view_->children.begin(), view_->children.end(),
                        [&](const optimize::ReviewChild& c) { return c.id == child; });
        if (!known)
            throw api::HttpError(404, "not_found",
                                 "no pending child '" + child.substr(0, 100) + "'");
    }
    if (record) record(view_->iteration);
    auto& vetoed = decision_.vetoed;
    if (action == "veto") {
        if (std::find(vetoed.begin(), vetoed.end(), child) == vetoed.end()) vetoed.push_back(child);
        if (decision_.picked == child) decision_.picked.clear();
    } else if (action == "pick") {
        decision_.picked = child;
        vetoed.erase(std::remove(vetoed.begin(), vetoed.end(), child), vetoed.end());
    } else {
        decision_.stop = action == "stop";
        json before = pending_locked();
        done_ = true;
        decided_.notify_all();
        before["waiting"] = false;
        return before;
    }
    return pending_locked();
}

}  // namespace remask::review
