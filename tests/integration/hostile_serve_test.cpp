// `remask serve` (the real binary, a tiny diffusion model) under hostile input: malformed
// requests, oversized and unbounded ones, malformed chunked bodies, slow clients, 500
// concurrent connections and random bytes. Throughout, a prober asks GET /health; the
// server must answer it every time, stay under its memory budget and exit 0 on SIGTERM.
// Bounded in count and time; loopback only. The figures are printed as one JSON line
// ("hostile-serve figures: {...}") for the record.

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "background_process.h"
#include "run_command.h"

namespace remask::testing {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kMaxMemory = "3000M";
constexpr int64_t kMaxMemoryBytes = 3000000000;

int connect_loopback(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Sends `bytes` on a fresh connection, half-closes nothing, and returns what came back
// before the server closed (or timeout_ms of silence).
std::string send_and_read(int port, const std::string& bytes, int timeout_ms = 10000) {
    int fd = connect_loopback(port);
    if (fd < 0) return "<no connection>";
    (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    std::string out;
    char buffer[4096];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, timeout_ms) > 0) {
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        out.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
}

// "HTTP/1.1 400 Bad Request..." -> 400; 0 when there was no status line.
int status_of(const std::string& reply) {
    if (reply.rfind("HTTP/1.", 0) != 0 || reply.size() < 12) return 0;
    return std::atoi(reply.substr(9, 3).c_str());
}

int64_t peak_rss_bytes(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    return -1;
}

// Every request of the attack and its status, for the figures.
struct Tally {
    std::mutex mutex;
    std::map<int, int64_t> statuses;
    int64_t sent = 0;
    void add(int status) {
        std::lock_guard<std::mutex> lock(mutex);
        ++sent;
        ++statuses[status];
    }
};

// Asks /health every 25 ms on fresh connections until stopped; records each latency.
class HealthProber {
public:
    explicit HealthProber(int port) : port_(port), thread_([this] { run(); }) {}
    ~HealthProber() { stop(); }
    void stop() {
        stopping_ = true;
        if (thread_.joinable()) thread_.join();
    }
    int64_t probes() const { return static_cast<int64_t>(latencies_ms_.size()); }
    int64_t failures() const { return failures_; }
    double percentile(double q) const {
        std::vector<double> sorted = latencies_ms_;
        std::sort(sorted.begin(), sorted.end());
        if (sorted.empty()) return 0;
        return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())))];
    }

private:
    void run() {
        while (!stopping_) {
            const auto start = Clock::now();
            std::string reply = send_and_read(port_, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
            latencies_ms_.push_back(ms);
            if (status_of(reply) != 200 || reply.find("\"status\":\"ok\"") == std::string::npos) ++failures_;
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    int port_;
    std::atomic<bool> stopping_{false};
    std::vector<double> latencies_ms_;
    int64_t failures_ = 0;
    std::thread thread_;
};

std::string post(const std::string& path, const std::string& body, const std::string& extra_headers = "",
                 const std::string& type = "application/json") {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

TEST(HostileServe, SurvivesEveryRequestWithinItsBudget) {
    // 500 client sockets plus the server's own: raise this process's limit if it is low.
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < 2048 && files.rlim_max > files.rlim_cur) {
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, 4096);
        setrlimit(RLIMIT_NOFILE, &files);
    }
    ASSERT_GE(files.rlim_cur, 700u) << "needs ~600 open files for 500 connections";

    BackgroundRemask server({"serve", "--model", fixture_path("dream-e2e"), "--max-memory", kMaxMemory,
                             "--request-timeout", "1", "--idle-timeout", "1", "--threads", "1"});
    const int port = server.port();
    Tally tally;
    HealthProber prober(port);
    json phase_seconds = json::object();
    auto phase_start = Clock::now();
    auto end_phase = [&](const char* name) {
        phase_seconds[name] = std::chrono::duration<double>(Clock::now() - phase_start).count();
        phase_start = Clock::now();
    };
    auto expect_status = [&](const std::string& request, int wanted, const std::string& needle = "") {
        std::string reply = send_and_read(port, request);
        tally.add(status_of(reply));
        EXPECT_EQ(status_of(reply), wanted) << request.substr(0, 200) << "\n-> " << reply.substr(0, 400);
        if (!needle.empty()) {
            EXPECT_NE(reply.find(needle), std::string::npos) << reply.substr(0, 400);
        }
        return reply;
    };

    // 1. Requests that crashed or wasted the server before.
    expect_status("GET /%FF HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 404, "not_found");
    expect_status("GET /%00%C3%28 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 404);
    expect_status(post("/v1/infill", R"({"text": "a <mask:1>", "steps": 100000000, "candidates": 64})"), 400, "'steps'");
    expect_status(post("/v1/infill", R"({"text": "<mask:1>", "slack": 1000000000})"), 400, "'slack'");
    expect_status(post("/v1/infill", R"({"text": ")" + std::string(2000, '<') + R"(mask:100000>"})"), 400);
    expect_status(post("/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2000000000})"),
                  400, "'max_tokens'");
    expect_status(post("/v1/chat/completions",
                       R"({"messages": [{"role": "user", "content": [{"type": 1, "text": "a"}]}]})"),
                  400, "messages[0].content");
    std::string long_text;
    for (int i = 0; i < 300; ++i) long_text += "The film was long and the plot <mask:4> thin. ";
    expect_status(post("/v1/infill", json({{"text", long_text}, {"candidates", 64}, {"steps", 2}}).dump()), 413,
                  "'candidates'");
    std::string words;
    for (int i = 0; i < 2000; ++i) words += "word ";
    expect_status(post("/v1/chat/completions",
                       json({{"messages", {{{"role", "user"}, {"content", words}}}}, {"n", 16}}).dump()),
                  413, "'n'");
    expect_status(post("/v1/chat/completions", R"({"messages": [{"role": "user", "content": "hi"}]})", "",
                       "text/plain"),
                  415);
    expect_status(post("/v1/infill", R"({"text": "a <mask:1>"})", "Origin: http://evil.example\r\n"), 403);
    expect_status(post("/v1/infill", std::string(50000, '[') + std::string(50000, ']')), 400, "deeper");
    // Declares 2 MiB (over the 1 MiB default) but sends 1 KiB: refused from the header.
    expect_status(post("/v1/infill", std::string(2 << 20, ' ')).substr(0, 1200), 413);
    expect_status("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414);

    end_phase("requests");

    // 2. Malformed chunked bodies.
    const std::string chunked_head =
        "POST /v1/infill HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    for (const std::string& body : {std::string("zz\r\nabc\r\n0\r\n\r\n"), std::string("ffffffffffffffffff\r\nab\r\n"),
                                    std::string("5\r\nab"), std::string("3\r\nabcdef\r\n0\r\n\r\n"),
                                    std::string("-1\r\n\r\n")}) {
        std::string reply = send_and_read(port, chunked_head + body, 5000);
        int status = status_of(reply);
        tally.add(status);
        EXPECT_TRUE(status == 0 || status == 400 || status == 413) << body << " -> " << reply.substr(0, 200);
    }
    std::string endless_chunks = chunked_head;
    for (int i = 0; i < 300; ++i) endless_chunks += "1000\r\n" + std::string(4096, 'a') + "\r\n";
    int endless = status_of(send_and_read(port, endless_chunks + "0\r\n\r\n"));
    tally.add(endless);
    EXPECT_EQ(endless, 413) << "a chunked body past --max-body-bytes";

    end_phase("chunked");

    // 3. Slow clients: 20 connections trickling a header byte every 100 ms.
    std::vector<int> slow;
    for (int i = 0; i < 20; ++i) slow.push_back(connect_loopback(port));
    const std::string trickle = "POST /v1/infill HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    size_t cut = 0;
    for (size_t i = 0; i < 60 && cut < slow.size(); ++i) {
        cut = 0;
        for (int fd : slow) {
            const char byte = trickle[std::min(i, trickle.size() - 1)];
            if (::send(fd, &byte, 1, MSG_NOSIGNAL) != 1) ++cut;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    for (int fd : slow) {
        tally.add(0);  // a slow request gets no status: its connection is closed
        ::close(fd);
    }
    EXPECT_EQ(cut, slow.size()) << "slow clients must be cut at --request-timeout";

    end_phase("slow_clients");

    // 4. 500 concurrent connections, each with half a request, held while /health is probed.
    std::vector<int> crowd;
    for (int i = 0; i < 500; ++i) {
        int fd = connect_loopback(port);
        if (fd < 0) break;
        const std::string half = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        (void)::send(fd, half.data(), half.size(), MSG_NOSIGNAL);
        crowd.push_back(fd);
    }
    EXPECT_EQ(crowd.size(), 500u);
    int crowd_health_ok = 0;
    for (int i = 0; i < 10; ++i)
        crowd_health_ok += status_of(send_and_read(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200;
    EXPECT_EQ(crowd_health_ok, 10) << "/health while 500 connections are held";
    for (int fd : crowd) {
        tally.add(0);
        ::close(fd);
    }

    end_phase("500_connections");

    // 5. Random bytes on 200 connections, 16 at a time.
    std::atomic<int> next{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 16; ++t) {
        senders.emplace_back([&, t] {
            std::mt19937 rng(1000 + t);
            for (int i = next++; i < 200; i = next++) {
                std::string junk(256 + rng() % 4096, '\0');
                for (char& c : junk) c = static_cast<char>(rng());
                if (i % 2) junk = "POST /v1/infill HTTP/1.1\r\n" + junk;
                tally.add(status_of(send_and_read(port, junk, 5000)));
            }
        });
    }
    for (auto& s : senders) s.join();
    end_phase("random_bytes");

    // The server still does its job, then stops cleanly.
    httplib::Client cli("127.0.0.1", port);
    auto ok = cli.Post("/v1/infill", R"({"text": "The plot was <mask:3>.", "steps": 3, "seed": 1})", "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << ok->body;
    tally.add(ok->status);
    prober.stop();
    const int64_t peak = peak_rss_bytes(server.pid());
    EXPECT_EQ(prober.failures(), 0) << "/health failed during the attack";
    EXPECT_GT(prober.probes(), 10);
    EXPECT_GT(peak, 0);
    EXPECT_LT(peak, kMaxMemoryBytes) << "peak RSS over --max-memory";
    EXPECT_EQ(server.stop(), 0) << "SIGTERM should end the server cleanly";

    json statuses = json::object();
    for (const auto& [status, count] : tally.statuses) statuses[std::to_string(status)] = count;
    json figures = {{"requests_sent", tally.sent},
                    {"statuses", statuses},
                    {"health_probes", prober.probes()},
                    {"health_failures", prober.failures()},
                    {"health_ms_p50", prober.percentile(0.5)},
                    {"health_ms_p99", prober.percentile(0.99)},
                    {"health_ms_max", prober.percentile(1.0)},
                    {"peak_rss_bytes", peak},
                    {"budget_bytes", kMaxMemoryBytes},
                    {"phase_seconds", phase_seconds}};
    std::cout << "hostile-serve figures: " << figures.dump() << std::endl;
}

// A client that leaves mid-generation frees the model at the next step.
TEST(HostileServe, DisconnectCancelsAGenerationBetweenSteps) {
    BackgroundRemask server({"serve", "--model", fixture_path("dream-e2e"), "--threads", "1"});
    const int port = server.port();
    int fd = connect_loopback(port);
    ASSERT_GE(fd, 0);
    const std::string long_job =
        post("/v1/infill", R"({"text": "Once <mask:200> end.", "steps": 30000, "sampler": "origin"})");
    ASSERT_EQ(::send(fd, long_job.data(), long_job.size(), MSG_NOSIGNAL), static_cast<ssize_t>(long_job.size()));
    ::close(fd);
    // A short request queues behind the long one; it is answered once the long one stops.
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(120);
    auto quick = cli.Post("/v1/infill", R"({"text": "a <mask:2> b", "steps": 2})", "application/json");
    ASSERT_TRUE(quick);
    EXPECT_EQ(quick->status, 200);
    EXPECT_EQ(server.stop(), 0);
    const std::string log = read_text_file(server.stderr_path());
    EXPECT_NE(log.find("client disconnected; its request was cancelled"), std::string::npos) << log;
}

TEST(HostileServe, NonLoopbackHostNeedsAKeyOrInsecure) {
    CommandResult refused = run_remask({"serve", "--model", fixture_path("dream-e2e"), "--host", "0.0.0.0", "--port", "0"});
    EXPECT_EQ(refused.exit_code, 2);
    EXPECT_NE(refused.err.find("--api-key-env"), std::string::npos) << refused.err;
    CommandResult unset = run_remask({"serve", "--model", fixture_path("dream-e2e"), "--api-key-env",
                                      "REMASK_TEST_UNSET_VARIABLE", "--port", "0"});
    EXPECT_EQ(unset.exit_code, 2);
    EXPECT_NE(unset.err.find("REMASK_TEST_UNSET_VARIABLE"), std::string::npos) << unset.err;
    CommandResult tiny = run_remask({"serve", "--model", fixture_path("dream-e2e"), "--max-memory", "10M", "--port", "0"});
    EXPECT_EQ(tiny.exit_code, 2);
    EXPECT_NE(tiny.err.find("--max-memory"), std::string::npos) << tiny.err;
}

}  // namespace
}  // namespace remask::testing
