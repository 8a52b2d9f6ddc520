#pragma once
// Several `remask serve` replicas behind the remote infiller ([dlm] url as a list).
//
//   ReplicaPool pool({"http://gpu1:8080", "http://gpu2:8080"}, {.timeout_s = 600});
//   ReplicaPool::Reply r = pool.post("/v1/infill", body, {});
//
// Routing: each request goes to the live replica with the fewest requests outstanding (ties:
// the one listed first). A replica that fails (no connection, no answer within timeout_s,
// an HTTP 5xx) is marked down and the request is sent to the next replica; a down replica
// is health-checked (GET /health) before it gets work again, at most every recheck_s. A
// 4xx is the request's fault, the same on every replica: ExternalError at once. The request
// fails only when no replica answers. Requests must be idempotent (an infill with a seed
// is). Thread-safe.

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace remask::optimize {

class ReplicaPool {
public:
    struct Options {
        double timeout_s = 600;        // per request on one replica
        double connect_timeout_s = 10;
        double recheck_s = 5;          // a down replica's next health check, at the earliest
    };
    struct Reply {
        std::string body;      // a 2xx body
        std::string replica;   // the base URL that answered
        int64_t attempts = 1;  // replicas tried, this one included
    };

    ReplicaPool(std::vector<std::string> base_urls, Options options);

    // Throws ExternalError naming the replica for a 4xx, or every replica's last problem
    // when none answered.
    Reply post(const std::string& path, const std::string& body, const httplib::Headers& headers);

    // For tests and logs: how many replicas are marked down now.
    size_t down_count() const;

private:
    using Clock = std::chrono::steady_clock;
    struct Replica {
        std::string url;  // "http://host:port", no trailing "/" or "/v1"
        int64_t outstanding = 0;
        bool down = false;
        Clock::time_point next_check{};
        std::string last_problem;
    };

    // The next replica to try among those not yet tried: live ones by load, then down ones
    // due for a health check that passes. -1 when none is left.
    int choose(std::vector<bool>& tried);
    bool healthy(const std::string& url) const;
    void mark_down(int index, const std::string& problem);

    Options options_;
    mutable std::mutex mutex_;
    std::vector<Replica> replicas_;
};

// "http://h:8080/v1/" → "http://h:8080".
std::string replica_base_url(std::string url);

}  // namespace remask::optimize
