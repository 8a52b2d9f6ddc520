#include "optimize/replica_pool.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/log.h"

namespace remask::optimize {

namespace {

void set_timeouts(httplib::Client& client, double connect_s, double read_s) {
    auto micros = [](double s) { return std::chrono::microseconds(int64_t(s * 1e6)); };
    client.set_connection_timeout(micros(connect_s));
    client.set_read_timeout(micros(read_s));
    client.set_write_timeout(micros(read_s));
}

std::string server_message(const std::string& body) {
    try {
        return nlohmann::json::parse(body)["error"]["message"].get<std::string>();
    } catch (const std::exception&) {
        return body.substr(0, 200);
    }
}

}  // namespace

std::string replica_base_url(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    if (url.size() >= 3 && url.compare(url.size() - 3, 3, "/v1") == 0) url.resize(url.size() - 3);
    return url;
}

ReplicaPool::ReplicaPool(std::vector<std::string> base_urls, Options options) : options_(options) {
    for (std::string& url : base_urls) {
        Replica replica;
        replica.url = replica_base_url(std::move(url));
        replicas_.push_back(std::move(replica));
    }
}

size_t ReplicaPool::down_count() const {
    std::lock_guard lock(mutex_);
    size_t down = 0;
    for (const Replica& r : replicas_) down += r.down;
    return down;
}

bool ReplicaPool::healthy(const std::string& url) const {
    httplib::Client client(url);
    double limit = std::min(options_.timeout_s, 5.0);
    set_timeouts(client, std::min(options_.connect_timeout_s, limit), limit);
    auto reply = client.Get("/health");
    return reply && reply->status == 200;
}

void ReplicaPool::mark_down(int index, const std::string& problem) {
    std::lock_guard lock(mutex_);
    Replica& r = replicas_[size_t(index)];
    r.down = true;
    r.last_problem = problem;
    r.next_check = Clock::now() + std::chrono::microseconds(int64_t(options_.recheck_s * 1e6));
}

int ReplicaPool::choose(std::vector<bool>& tried) {
    {
        std::lock_guard lock(mutex_);
        int best = -1;
        for (size_t i = 0; i < replicas_.size(); ++i) {
            const Replica& r = replicas_[i];
            if (tried[i] || r.down) continue;
            if (best < 0 || r.outstanding < replicas_[size_t(best)].outstanding) best = int(i);
        }
        if (best >= 0) {
            tried[size_t(best)] = true;
            ++replicas_[size_t(best)].outstanding;
            return best;
        }
    }
    // Every live replica was tried: a down one whose health check passes gets the request.
    for (size_t i = 0; i < replicas_.size(); ++i) {
        std::string url;
        {
            std::lock_guard lock(mutex_);
            if (tried[i]) continue;
            url = replicas_[i].url;
        }
        tried[i] = true;
        if (healthy(url)) {
            std::lock_guard lock(mutex_);
            replicas_[i].down = false;
            ++replicas_[i].outstanding;
            log_info("dlm replica ", url, " is back");
            return int(i);
        }
        mark_down(int(i), "health check failed");
    }
    return -1;
}

ReplicaPool::Reply ReplicaPool::post(const std::string& path, const std::string& body,
                                     const httplib::Headers& headers) {
    // Down replicas due for a check are probed first, so a recovered one rejoins the rotation.
    std::vector<std::string> due;
    {
        std::lock_guard lock(mutex_);
        for (Replica& r : replicas_)
            if (r.down && Clock::now() >= r.next_check) {
                due.push_back(r.url);
                r.next_check = Clock::now() + std::chrono::microseconds(int64_t(options_.recheck_s * 1e6));
            }
    }
    for (const std::string& url : due)
        if (healthy(url)) {
            std::lock_guard lock(mutex_);
            for (Replica& r : replicas_)
                if (r.url == url) r.down = false;
            log_info("dlm replica ", url, " is back");
        }

    std::vector<bool> tried(replicas_.size(), false);
    int64_t attempts = 0;
    for (int index = choose(tried); index >= 0; index = choose(tried)) {
        ++attempts;
        std::string url;
        {
            std::lock_guard lock(mutex_);
            url = replicas_[size_t(index)].url;
        }
        httplib::Client client(url);
        set_timeouts(client, options_.connect_timeout_s, options_.timeout_s);
        auto reply = client.Post(path, headers, body, "application/json");
        {
            std::lock_guard lock(mutex_);
            --replicas_[size_t(index)].outstanding;
        }
        if (reply && reply->status >= 200 && reply->status < 300) return {reply->body, url, attempts};
        if (reply && reply->status >= 400 && reply->status < 500)
            throw ExternalError(url + path, "HTTP " + std::to_string(reply->status) + ": " + server_message(reply->body));
        std::string problem = reply ? "HTTP " + std::to_string(reply->status) + ": " + server_message(reply->body)
                                    : "no answer (" + httplib::to_string(reply.error()) + ")";
        log_warn("dlm replica ", url, " marked down: ", problem);
        mark_down(index, problem);
    }
    std::string problems;
    {
        std::lock_guard lock(mutex_);
        for (const Replica& r : replicas_)
            problems += (problems.empty() ? "" : "; ") + r.url + ": " + (r.last_problem.empty() ? "?" : r.last_problem);
    }
    throw ExternalError("[dlm] url", "no replica answered " + path + " (" + problems + ")");
}

}  // namespace remask::optimize
