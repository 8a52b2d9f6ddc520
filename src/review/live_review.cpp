#include "review/live_review.h"

#include <memory>
#include <ostream>
#include <thread>

#include "optimize/optimizer.h"
#include "review/pending_review.h"

namespace remask::review {
namespace {

class PageReviewer : public optimize::Reviewer {
  public:
    PageReviewer(PendingReview& pending, std::string url, std::string run_dir,
                 const LiveReviewOptions& o)
        : pending_(pending), url_(std::move(url)), run_dir_(std::move(run_dir)), options_(o) {}

    optimize::ReviewDecision review(const optimize::ReviewView& view) override {
        if (options_.err)
            *options_.err << "\niteration " << view.iteration
                          << ": waiting for a review decision at " << url_ << " ("
                          << view.children.size()
                          << " children: veto or pick, then continue or stop; no timeout, Ctrl-C "
                             "ends the run)\n"
                          << std::flush;
        const std::atomic<bool>* stop = options_.stop_requested;
        optimize::ReviewDecision d;
        try {
            d = pending_.wait_for_decision(view, [stop] { return stop && stop->load(); });
        } catch (const optimize::Interrupted&) {
            throw optimize::Interrupted(
                "optimize",
                "interrupted while waiting for a review decision; continue with: "
                "remask optimize --resume " +
                    run_dir_ + " --review-web PORT");
        }
        if (options_.err)
            *options_.err << "iteration " << view.iteration << ": review decided ("
                          << d.vetoed.size() << " vetoed"
                          << (d.picked.empty() ? "" : ", picked " + d.picked)
                          << (d.stop ? ", stop" : "") << ")\n"
                          << std::flush;
        return d;
    }

  private:
    PendingReview& pending_;
    std::string url_;
    std::string run_dir_;
    LiveReviewOptions options_;
};

class PageSession : public optimize::LiveReview {
  public:
    PageSession(const std::string& run_dir, const LiveReviewOptions& o)
        : app_(run_dir, o.server, &pending_) {
        app_.bind();
        reviewer_ = std::make_unique<PageReviewer>(pending_, app_.url(), run_dir, o);
        thread_ = std::thread([this] { app_.run(); });
        if (o.err) *o.err << "review page: " << app_.url() << "\n" << std::flush;
    }
    ~PageSession() override {
        app_.stop();
        thread_.join();
    }
    optimize::Reviewer& reviewer() override { return *reviewer_; }

  private:
    PendingReview pending_;
    ReviewApp app_;
    std::unique_ptr<PageReviewer> reviewer_;
    std::thread thread_;
};

}  // namespace

optimize::LiveReviewFactory make_live_review_factory(LiveReviewOptions options) {
    return [options](const std::string& run_dir, bool) -> std::unique_ptr<optimize::LiveReview> {
        return std::make_unique<PageSession>(run_dir, options);
    };
}

}  // namespace remask::review
