#pragma once
// `remask serve`: an OpenAI-compatible HTTP front for one loaded model.
//
//   MyBackend backend(...);
//   HttpServer server(backend, {.host = "127.0.0.1", .port = 8080});
//   server.bind();          // port 0 picks a free one; returns the port
//   server.run();           // blocks until stop(); requests in flight finish first
//
// Every byte is treated as hostile: at most max_active requests are computed at once and
// max_queued wait for a turn (past that: 503 with Retry-After); bodies over max_body_bytes
// get 413; JSON bodies must say application/json (415), nest at most 64 deep and hold at
// most 65536 values (400); with an api_key every request but GET /health needs
// `Authorization: Bearer <key>` (401); a request from a browser page of another origin, or
// naming a non-loopback Host on a loopback server, gets 403. Every error body is
// {"error": {"message", "type"}}; a 500 names no internal detail (that goes to the log).
// Connections are bounded in number and time by GuardedHttpServer (guarded_listener.h).

#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "server/api_schema.h"
#include "server/guarded_listener.h"

namespace remask {

// What a loaded model offers the server. Methods may be called from several threads, on
// the thread serving the request (client_disconnected() works there).
class ServeBackend {
public:
    virtual ~ServeBackend() = default;
    virtual std::string model_id() const = 0;
    // The complete OpenAI chat.completion body. Throws api::HttpError for requests the
    // model cannot serve (400/413), ClientGone when the client left, or any Error (500).
    virtual nlohmann::json chat_completion(const api::ChatCompletionRequest& request) = 0;
    // Throws api::HttpError(404) when the model is not a diffusion model.
    virtual api::InfillHttpResponse infill(const api::InfillHttpRequest& request) = 0;
};

// Thrown by a backend that stopped work because its client disconnected.
class ClientGone : public std::runtime_error {
public:
    ClientGone() : std::runtime_error("client disconnected") {}
};

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    int max_active = 4;   // requests being computed at once
    int max_queued = 60;  // requests waiting for a turn; beyond active + queued: 503
    size_t max_body_bytes = 1 << 20;
    int retry_after_s = 1;
    std::string api_key;  // empty: no authentication
    ConnectionLimits connections;
};

class HttpServer {
public:
    HttpServer(ServeBackend& backend, ServeOptions options);
    ~HttpServer();

    // Binds the listening socket; returns the port. Throws ExternalError when it cannot.
    int bind();
    // Serves until stop(); requests already accepted are finished before it returns.
    void run();
    // Safe from any thread (not from a signal handler).
    void stop();

    int64_t requests_served() const { return served_; }
    int64_t requests_cancelled() const { return cancelled_; }

private:
    void install_routes();

    ServeBackend& backend_;
    ServeOptions options_;
    std::unique_ptr<GuardedHttpServer> server_;
    bool loopback_ = true;
    std::atomic<int> admitted_{0};  // computing or waiting for a turn
    std::mutex turn_mutex_;
    std::condition_variable turn_freed_;
    int computing_ = 0;
    std::atomic<int64_t> served_{0};
    std::atomic<int64_t> cancelled_{0};
    std::atomic<int64_t> next_error_id_{1};
    int port_ = 0;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_host(const std::string& host);

}  // namespace remask
