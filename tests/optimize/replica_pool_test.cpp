// ReplicaPool against scripted in-process servers (cpp-httplib on loopback): routing by
// outstanding requests, mark-down and retry on errors and timeouts, health checks back in.
#include "optimize/replica_pool.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/error.h"

namespace remask::optimize {
namespace {

// A fake replica: /v1/infill answers with its name, or fails as scripted; /health follows
// `healthy`. `hold` makes /v1/infill wait until released (a slow or stalled server).
class ScriptedReplica {
public:
    explicit ScriptedReplica(std::string name) : name_(std::move(name)) {
        server_.Post("/v1/infill", [this](const httplib::Request&, httplib::Response& res) {
            ++requests;
            ++outstanding;
            while (hold.load()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
            --outstanding;
            res.status = status.load();
            res.set_content(res.status == 200 ? name_ : R"({"error":{"message":"scripted failure"}})",
                            "application/json");
        });
        server_.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
            res.status = healthy.load() ? 200 : 503;
            res.set_content(R"({"status":"ok"})", "application/json");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~ScriptedReplica() {
        hold = false;
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

    std::atomic<int> status{200};
    std::atomic<bool> healthy{true};
    std::atomic<bool> hold{false};
    std::atomic<int> requests{0};
    std::atomic<int> outstanding{0};

private:
    std::string name_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
};

ReplicaPool::Options fast_options() {
    ReplicaPool::Options options;
    options.timeout_s = 0.5;
    options.connect_timeout_s = 0.5;
    options.recheck_s = 0;  // health-check a down replica before every request
    return options;
}

TEST(ReplicaPool, SendsToTheReplicaWithFewestOutstandingRequests) {
    ScriptedReplica a("a"), b("b");
    ReplicaPool::Options options = fast_options();
    options.timeout_s = 30;
    ReplicaPool pool({a.url(), b.url()}, options);
    a.hold = true;
    auto first = std::async(std::launch::async, [&] { return pool.post("/v1/infill", "{}", {}); });
    while (a.outstanding.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    // a is busy with one request: the next goes to b, although a is listed first.
    EXPECT_EQ(pool.post("/v1/infill", "{}", {}).body, "b");
    a.hold = false;
    EXPECT_EQ(first.get().body, "a");
    EXPECT_EQ(pool.post("/v1/infill", "{}", {}).body, "a") << "idle again: ties go to the first listed";
}

TEST(ReplicaPool, FailedReplicaIsMarkedDownAndTheRequestRetriedElsewhere) {
    ScriptedReplica a("a"), b("b");
    a.status = 500;
    a.healthy = false;
    ReplicaPool pool({a.url(), b.url()}, fast_options());
    ReplicaPool::Reply reply = pool.post("/v1/infill", "{}", {});
    EXPECT_EQ(reply.body, "b");
    EXPECT_EQ(reply.attempts, 2);
    EXPECT_EQ(pool.down_count(), 1u);
    // While its health check fails, a gets no work.
    EXPECT_EQ(pool.post("/v1/infill", "{}", {}).body, "b");
    EXPECT_EQ(a.requests.load(), 1);
    // Healthy again: checked back in and used.
    a.status = 200;
    a.healthy = true;
    EXPECT_EQ(pool.post("/v1/infill", "{}", {}).body, "a");
    EXPECT_EQ(pool.down_count(), 0u);
}

TEST(ReplicaPool, StalledReplicaTimesOutAndAnotherAnswers) {
    ScriptedReplica a("a"), b("b");
    a.hold = true;
    ReplicaPool pool({a.url(), b.url()}, fast_options());
    ReplicaPool::Reply reply = pool.post("/v1/infill", "{}", {});
    EXPECT_EQ(reply.body, "b");
    EXPECT_EQ(reply.replica + "/v1", b.url());
    EXPECT_EQ(pool.down_count(), 1u);
}

TEST(ReplicaPool, ClientErrorsAreNotRetried) {
    ScriptedReplica a("a"), b("b");
    a.status = 400;
    ReplicaPool pool({a.url(), b.url()}, fast_options());
    EXPECT_THROW(pool.post("/v1/infill", "{}", {}), ExternalError);
    EXPECT_EQ(b.requests.load(), 0);
    EXPECT_EQ(pool.down_count(), 0u);
}

TEST(ReplicaPool, FailsOnlyWhenNoReplicaAnswersAndNamesEach) {
    ScriptedReplica a("a");
    a.status = 503;
    a.healthy = false;
    ReplicaPool pool({a.url(), "http://127.0.0.1:1"}, fast_options());
    try {
        pool.post("/v1/infill", "{}", {});
        FAIL() << "expected an error";
    } catch (const ExternalError& e) {
        std::string what = e.what();
        EXPECT_NE(what.find("no replica answered"), std::string::npos) << what;
        EXPECT_NE(what.find("HTTP 503"), std::string::npos) << what;
        EXPECT_NE(what.find("http://127.0.0.1:1"), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace remask::optimize
