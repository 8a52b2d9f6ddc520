// Scorer throughput: scores per second through the real WebhookScorer (against a loopback
// cpp-httplib server that passes everything) and ExecScorer (a trivial Python JSON-lines
// script), each without the score cache, then with it (a cold pass that stores every score,
// and a warm pass served from it).
//
// Each pass gets its own scorer, destroyed (connections closed, children stopped) before the
// next starts, as one run has one scorer: cpp-httplib serves a connection on one pool thread
// until it closes or idles out (5 s), so a previous pass's idle keep-alive connections held
// most of the pool and throttled the next pass (that, not SQLite, kept an earlier "cache
// cold" figure near 900/s). The server keeps connections open like a production service
// (cpp-httplib's default closes each after 5 requests).
//
//   build/release/bench/bench_scorer [--n 4000] [--workers 4] [--threads 16]
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tasks/scorer.h"

using namespace remask;

namespace {

double scores_per_second(Scorer& scorer, int n, int threads, const std::string& salt) {
    std::atomic<int> next{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            for (int i; (i = next++) < n;) {
                Example e;
                e.id = "e" + std::to_string(i);
                e.input = "question " + std::to_string(i);
                scorer.score("Be brief.", e, "answer " + salt + std::to_string(i));
            }
        });
    for (auto& t : pool) t.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return n / seconds;
}

// One pass through a fresh scorer, gone (with its connections or children) when it returns.
// Untimed warm-up scores first open the connections and start the exec workers (a pyenv
// shim takes 0.5 s to start python3): a run pays that once, not per score.
double fresh_scorer_pass(const std::string& metric, const ScorerSettings& settings,
                         const ScorerOptions& options, int n, int threads,
                         const std::string& salt) {
    auto scorer = make_scorer(metric, settings, options);
    scores_per_second(*scorer, 2 * threads, threads, "warm-up " + salt);
    return scores_per_second(*scorer, n, threads, salt);
}

void report_scorer(const std::string& metric, const ScorerSettings& settings,
                   const std::string& cache_path, int n, int threads) {
    ScorerOptions no_cache;
    no_cache.use_cache = false;
    ScorerOptions with_cache;
    with_cache.cache_path = cache_path;
    const double off = fresh_scorer_pass(metric, settings, no_cache, n, threads, "a");
    const double cold = fresh_scorer_pass(metric, settings, with_cache, n, threads, "b");
    const double warm = fresh_scorer_pass(metric, settings, with_cache, n, threads, "b");
    std::printf(
        "%-8s no cache %8.0f scores/s | cache cold %8.0f scores/s | cache warm %8.0f scores/s\n",
        metric.c_str(), off, cold, warm);
}

}  // namespace

int main(int argc, char** argv) {
    int n = 4000, workers = 4, threads = 16;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--n") n = std::atoi(argv[i + 1]);
        if (flag == "--workers") workers = std::atoi(argv[i + 1]);
        if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    }
    const auto dir = std::filesystem::temp_directory_path() /
                     ("remask-bench-scorer-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string cache_path = (dir / "scores.sqlite").string();

    httplib::Server server;
    server.Post("/score", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"pass": true, "reason": "ok"})", "application/json");
    });
    server.set_tcp_nodelay(true);  // else Nagle + delayed ACKs add ~40 ms to each reply
    server.set_keep_alive_max_count(1000000);
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads + 4); };
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread listener([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();

    ScorerSettings webhook;
    webhook.url = "http://127.0.0.1:" + std::to_string(port) + "/score";
    webhook.max_in_flight = threads;
    report_scorer("webhook", webhook, cache_path, n, threads);

    std::ofstream(dir / "trivial.py")
        << "import sys\nfor line in sys.stdin:\n"
           "    sys.stdout.write('{\"pass\": true}\\n'); sys.stdout.flush()\n";
    ScorerSettings exec;
    exec.command = {"python3", (dir / "trivial.py").string()};
    exec.max_in_flight = workers;
    report_scorer("exec", exec, cache_path, n, threads);
    std::printf("(n = %d scores per pass, %d client threads, exec workers %d)\n", n, threads,
                workers);
    server.stop();
    listener.join();
    std::filesystem::remove_all(dir);
}
