// Scorer throughput: scores per second through the real WebhookScorer (against a loopback
// cpp-httplib server that passes everything) and ExecScorer (a trivial Python JSON-lines
// script), each without the score cache, then with it (a cold pass that stores every score,
// and a warm pass served from it).
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

double run(Scorer& scorer, int n, int threads, const std::string& salt) {
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

void report(const char* what, Scorer& plain, Scorer& cached, int n, int threads) {
    const double off = run(plain, n, threads, "a");
    const double cold = run(cached, n, threads, "b");
    const double warm = run(cached, n, threads, "b");
    std::printf(
        "%-8s no cache %8.0f scores/s | cache cold %8.0f scores/s | cache warm %8.0f scores/s\n",
        what, off, cold, warm);
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

    httplib::Server server;
    server.Post("/score", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"pass": true, "reason": "ok"})", "application/json");
    });
    server.set_tcp_nodelay(true);  // else Nagle + delayed ACKs add ~40 ms to each reply
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads + 4); };
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread listener([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();

    ScorerOptions no_cache;
    no_cache.use_cache = false;
    ScorerOptions with_cache;
    with_cache.cache_path = (dir / "scores.sqlite").string();

    ScorerSettings webhook;
    webhook.url = "http://127.0.0.1:" + std::to_string(port) + "/score";
    webhook.max_in_flight = threads;
    {
        auto plain = make_scorer("webhook", webhook, no_cache);
        auto cached = make_scorer("webhook", webhook, with_cache);
        report("webhook", *plain, *cached, n, threads);
    }

    std::ofstream(dir / "trivial.py")
        << "import sys\nfor line in sys.stdin:\n"
           "    sys.stdout.write('{\"pass\": true}\\n'); sys.stdout.flush()\n";
    ScorerSettings exec;
    exec.command = {"python3", (dir / "trivial.py").string()};
    exec.max_in_flight = workers;
    {
        auto plain = make_scorer("exec", exec, no_cache);
        auto cached = make_scorer("exec", exec, with_cache);
        report("exec", *plain, *cached, n, threads);
    }
    std::printf("(n = %d scores per pass, %d client threads, exec workers %d)\n", n, threads,
                workers);
    server.stop();
    listener.join();
    std::filesystem::remove_all(dir);
}
