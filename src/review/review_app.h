#pragma once
// `remask review`: the review page of one run directory and its JSON API (INTERFACES.md
// "remask review", docs/review.md), for a finished run or, inside `remask optimize
// --review-web PORT`, a live one.
//
//   ReviewApp app("runs/sst2-…", {.host = "127.0.0.1", .port = 8090}, /*pending=*/nullptr);
//   int port = app.bind();   // port 0 picks a free one
//   app.run();               // blocks until stop()
//
// Safety as `remask serve` (server/request_guard.h): loopback by default, a key for any
// other host (401 without it; the page and its assets load without it, the API does not),
// requests from another origin or site that change state get 403, bodies over
// max_body_bytes get 413, JSON bodies need application/json (415). Every error body is
// {"error": {"message", "type"}}.

#include <memory>
#include <string>

#include "server/guarded_listener.h"

namespace remask::review {

class PendingReview;

struct ReviewOptions {
    std::string host = "127.0.0.1";
    int port = 8090;
    std::string api_key;  // empty: no key (loopback only; the command enforces it)
    size_t max_body_bytes = 64 << 10;
    ConnectionLimits connections{.max_connections = 64};
};

class ReviewApp {
  public:
    // pending: the live run's decision gate, or nullptr (nothing ever waits).
    ReviewApp(std::string run_dir, ReviewOptions options, PendingReview* pending);
    ~ReviewApp();

    int bind();               // returns the port; throws ExternalError when it cannot listen
    void run();               // serves until stop()
    void stop();              // safe from any thread
    std::string url() const;  // http://host:port/

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The embedded page: path ("/", "/review.js", ...) -> content and type; nullptr if none.
struct EmbeddedAsset {
    const char* path;
    const char* content_type;
    const unsigned char* data;
    size_t size;
};
const EmbeddedAsset* find_review_asset(const std::string& path);

}  // namespace remask::review
