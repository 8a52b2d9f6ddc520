#pragma once
// `remask serve`: an OpenAI-compatible HTTP front for one loaded model.
//
//   MyBackend backend(...);
//   HttpServer server(backend, {.host = "127.0.0.1", .port = 8080});
//   server.bind();          // port 0 picks a free one; returns the port
//   server.run();           // blocks until stop(); requests in flight finish first
//
// Requests run concurrently up to max_active + max_queued; past that the server answers
// 503 with Retry-After. Bodies over max_body_bytes get 413; malformed JSON or fields get 400;
// every error body is {"error": {"message", "type"}}.

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "server/api_schema.h"

namespace httplib {
class Server;
}

namespace remask {

// What a loaded model offers the server. Methods may be called from several threads.
class ServeBackend {
public:
    virtual ~ServeBackend() = default;
    virtual std::string model_id() const = 0;
    // The complete OpenAI chat.completion body. Throws api::HttpError for requests the
    // model cannot serve (400), or any Error (500).
    virtual nlohmann::json chat_completion(const api::ChatCompletionRequest& request) = 0;
    // Throws api::HttpError(404) when the model is not a diffusion model.
    virtual api::InfillHttpResponse infill(const api::InfillHttpRequest& request) = 0;
};

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 8080;
    int max_active = 4;    // requests being computed at once (the backend may serialize)
    int max_queued = 60;   // requests waiting; beyond active + queued: 503
    size_t max_body_bytes = 4 << 20;
    int retry_after_s = 1;
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

private:
    void install_routes();

    ServeBackend& backend_;
    ServeOptions options_;
    std::unique_ptr<httplib::Server> server_;
    std::atomic<int> in_flight_{0};
    std::atomic<int64_t> served_{0};
    int port_ = 0;
};

}  // namespace remask
