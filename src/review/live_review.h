#pragma once
// `remask optimize … --review-web PORT`: the review page inside the run. For each run
// directory the loop opens, the factory starts a ReviewApp on a thread of its own and,
// with [optimizer] review = "web", a Reviewer that waits for the page's decision:
//
//   io.live_review = make_live_review_factory({.server = {.port = 8090}, .err = &std::cerr,
//                                              .stop_requested = &ctrl_c});
//
// While it waits, `err` says so and where the page is; it waits until someone decides or
// Ctrl-C (no timeout).

#include <atomic>
#include <iosfwd>

#include "optimize/review.h"
#include "review/review_app.h"

namespace remask::review {

struct LiveReviewOptions {
    ReviewOptions server;
    std::ostream* err = nullptr;
    const std::atomic<bool>* stop_requested = nullptr;
};

optimize::LiveReviewFactory make_live_review_factory(LiveReviewOptions options);

}  // namespace remask::review
