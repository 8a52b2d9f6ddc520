// bench_client [REQUESTS] [IN_FLIGHT]: requests per second through the openai client
// against a local zero-delay server (cpp-httplib, in this process), and cache lookups per
// second. Default 20000 requests at 64 in flight.
//
// Figures printed:
//   http, no cache      requests/s through chat_batch with --no-cache (HTTP + JSON only)
//   http + cache writes requests/s with every answer committed to a fresh SQLite cache
//   cache hits          requests/s of the same batch again: every answer from the cache
//   raw lookups         CallCache::find per second on one thread (no client around it)
// The server shares the machine's cores with the client, so the figures are a floor.

#include <httplib.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "llm/call_cache.h"
#include "llm/openai_client.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kReply =
    R"({"id":"x","object":"chat.completion","model":"bench","choices":[{"index":0,)"
    R"("message":{"role":"assistant","content":"positive"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":42,"completion_tokens":1,"total_tokens":43}})";

std::vector<remask::ChatRequest> make_requests(int count) {
    std::vector<remask::ChatRequest> requests;
    for (int i = 0; i < count; ++i) {
        remask::ChatRequest request;
        request.messages.push_back(remask::ChatMessage::of(
            "system", "Classify the sentiment of the sentence as positive or negative."));
        request.messages.push_back(remask::ChatMessage::of("user", "sentence number " + std::to_string(i)));
        requests.push_back(std::move(request));
    }
    return requests;
}

double run(remask::OpenAIClient& client, const std::vector<remask::ChatRequest>& requests) {
    auto start = Clock::now();
    auto outcomes = client.chat_batch(requests);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (const auto& outcome : outcomes)
        if (!outcome.ok()) {
            std::fprintf(stderr, "bench_client: a request failed: %s\n", outcome.error_message.c_str());
            std::exit(1);
        }
    return double(requests.size()) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
    int count = argc > 1 ? std::atoi(argv[1]) : 20000;
    int in_flight = argc > 2 ? std::atoi(argv[2]) : 64;

    std::signal(SIGPIPE, SIG_IGN);
    httplib::Server server;
    server.new_task_queue = [in_flight] { return new httplib::ThreadPool(size_t(in_flight) + 8); };
    server.set_keep_alive_max_count(100000000);
    server.set_tcp_nodelay(true);
    server.Post("/v1/chat/completions", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kReply, "application/json");
    });
    int port = server.bind_to_any_port("127.0.0.1");
    std::thread listener([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));

    remask::EndpointSettings settings;
    settings.base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1";
    settings.model = "bench";
    settings.api_key_env = "REMASK_BENCH_NO_KEY";
    settings.max_in_flight = in_flight;
    auto requests = make_requests(count);
    auto cache_path = std::filesystem::temp_directory_path() /
                      ("remask-bench-client-" + std::to_string(::getpid()) + ".sqlite");

    std::printf("bench_client: %d requests, %d in flight, %u hardware threads\n", count, in_flight,
                std::thread::hardware_concurrency());
    {
        remask::ClientOptions options;
        options.use_cache = false;
        remask::OpenAIClient client(settings, options);
        run(client, make_requests(std::min(count, 2000)));  // warm-up: open connections
        std::printf("http, no cache        %10.0f requests/s\n", run(client, requests));
    }
    {
        remask::ClientOptions options;
        options.cache_path = cache_path.string();
        remask::OpenAIClient client(settings, options);
        std::printf("http + cache writes   %10.0f requests/s\n", run(client, requests));
        std::printf("cache hits            %10.0f requests/s\n", run(client, requests));

        std::vector<std::string> keys;
        for (const auto& request : requests) keys.push_back(client.key_of(request));
        auto start = Clock::now();
        size_t found = 0;
        for (int pass = 0; pass < 5; ++pass)
            for (const auto& key : keys) found += client.cache()->find(key).has_value();
        double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (found != keys.size() * 5) std::fprintf(stderr, "bench_client: missing cache rows\n");
        std::printf("raw lookups (1 thread)%10.0f lookups/s\n", double(found) / seconds);
    }
    server.stop();
    listener.join();
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(cache_path.string() + suffix);
    return 0;
}
