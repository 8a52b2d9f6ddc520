// bench_cache [REQUESTS] [POSTGRES_URL...]: call-cache commits and lookups per second at 1,
// 8 and 32 concurrent clients, SQLite and PostgreSQL (each URL given). Each client is a
// thread with a cache object of its own (its own connection), as separate processes would
// have. Default 4000 requests per round, split between the clients.
//
// Figures printed, per backend and client count:
//   commits/s   store() of distinct keys (each returns after its row is committed)
//   lookups/s   find() of those keys, all hits
// "pg-async" is a URL with synchronous_commit=off (libpq options): the server acknowledges a
// commit before its WAL reaches the disk (safe against killed clients, not a server crash).
// bench/run_cache_bench.sh starts a temporary PostgreSQL cluster and runs this against it.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "llm/postgres_call_cache.h"
#include "llm/sqlite_call_cache.h"

namespace {

using Clock = std::chrono::steady_clock;

remask::ChatResponse reply() {
    remask::ChatResponse response;
    response.message = remask::ChatMessage::of("assistant", "positive");
    response.finish_reason = "stop";
    response.usage = {42, 1};
    return response;
}

// Runs body(client, first, last) on `clients` threads over [0, requests); returns seconds.
double timed(int clients, int requests, const std::function<void(int, int, int)>& body) {
    std::vector<std::thread> threads;
    auto start = Clock::now();
    for (int c = 0; c < clients; ++c)
        threads.emplace_back(body, c, requests * c / clients, requests * (c + 1) / clients);
    for (auto& t : threads) t.join();
    return std::chrono::duration<double>(Clock::now() - start).count();
}

void round(const char* backend, int clients, int requests,
           const std::function<std::unique_ptr<remask::CallCache>()>& open, const std::string& prefix) {
    std::vector<std::unique_ptr<remask::CallCache>> caches;
    for (int c = 0; c < clients; ++c) caches.push_back(open());
    const remask::ChatResponse response = reply();
    auto key = [&](int i) { return prefix + std::to_string(i); };
    double commit_s = timed(clients, requests, [&](int c, int first, int last) {
        for (int i = first; i < last; ++i) caches[size_t(c)]->store(key(i), "bench", response);
    });
    std::atomic<int> found{0};
    double lookup_s = timed(clients, requests * 4, [&](int c, int first, int last) {
        int hits = 0;
        for (int i = first; i < last; ++i) hits += caches[size_t(c)]->find(key(i % requests)).has_value();
        found += hits;
    });
    if (found != requests * 4) std::fprintf(stderr, "bench_cache: %s lost rows\n", backend);
    std::printf("%-11s %3d clients %10.0f commits/s %10.0f lookups/s\n", backend, clients, requests / commit_s,
                requests * 4 / lookup_s);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    int requests = argc > 1 ? std::atoi(argv[1]) : 4000;
    std::vector<std::string> urls(argv + std::min(argc, 2), argv + argc);
    std::printf("bench_cache: %d requests per round, %u hardware threads\n", requests,
                std::thread::hardware_concurrency());
    auto dir = std::filesystem::temp_directory_path() / ("remask-bench-cache-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (int clients : {1, 8, 32}) {
        std::string path = (dir / ("sqlite-" + std::to_string(clients))).string();
        round("sqlite", clients, requests, [&] { return std::make_unique<remask::SqliteCallCache>(path); }, "k");
    }
    for (size_t u = 0; u < urls.size(); ++u) {
        const std::string& url = urls[u];
        // The server's commit durability is the difference worth showing between URLs.
        const char* label = url.find("synchronous_commit") != std::string::npos ? "pg-async" : "postgresql";
        for (int clients : {1, 8, 32}) {
            std::string prefix = std::to_string(u) + "-" + std::to_string(clients) + "-clients-";  // fresh keys
            round(label, clients, requests, [&] { return std::make_unique<remask::PostgresCallCache>(url); }, prefix);
        }
    }
    std::filesystem::remove_all(dir);
    return 0;
}
