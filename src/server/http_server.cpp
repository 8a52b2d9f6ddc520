#include "server/http_server.h"

#include <httplib.h>

#include "core/error.h"
#include "core/log.h"

namespace remask {
namespace {

using nlohmann::json;

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message, const std::string& type) {
    send_json(res, status, api::error_body(message, type));
}

json parse_body(const httplib::Request& req) {
    try {
        return json::parse(req.body);
    } catch (const json::parse_error& e) {
        throw api::HttpError(400, "invalid_request_error", std::string("malformed JSON body: ") + e.what());
    }
}

// Holds one slot of the server's concurrency bound for the life of a request.
class SlotGuard {
public:
    SlotGuard(std::atomic<int>& counter, int limit) : counter_(counter) {
        admitted_ = counter_.fetch_add(1) < limit;
    }
    ~SlotGuard() { counter_.fetch_sub(1); }
    bool admitted() const { return admitted_; }

private:
    std::atomic<int>& counter_;
    bool admitted_;
};

}  // namespace

HttpServer::HttpServer(ServeBackend& backend, ServeOptions options)
    : backend_(backend), options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {
    // One thread per admitted request, so the bound is decided when a request arrives,
    // not after it waited unseen in the library's queue.
    int threads = options_.max_active + options_.max_queued + 4;
    server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_->set_payload_max_length(options_.max_body_bytes);
    install_routes();
}

HttpServer::~HttpServer() = default;

void HttpServer::install_routes() {
    const int limit = options_.max_active + options_.max_queued;

    // Wraps a handler with the concurrency bound and the JSON error mapping.
    auto guarded = [this, limit](auto body) {
        return [this, limit, body](const httplib::Request& req, httplib::Response& res) {
            SlotGuard slot(in_flight_, limit);
            if (!slot.admitted()) {
                res.set_header("Retry-After", std::to_string(options_.retry_after_s));
                send_error(res, 503, "server busy: too many requests in flight", "server_busy");
                return;
            }
            try {
                body(req, res);
            } catch (const api::HttpError& e) {
                send_error(res, e.status(), e.what(), e.type());
            } catch (const InputError& e) {
                send_error(res, 400, e.what(), "invalid_request_error");
            } catch (const std::exception& e) {
                log_error("serve: ", req.path, ": ", e.what());
                send_error(res, 500, e.what(), "server_error");
            }
            ++served_;
        };
    };

    server_->Get("/health", [](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, {{"status", "ok"}});
    });
    server_->Get("/v1/models", guarded([this](const httplib::Request&, httplib::Response& res) {
        json model = {{"id", backend_.model_id()}, {"object", "model"}, {"created", 0}, {"owned_by", "remask"}};
        send_json(res, 200, {{"object", "list"}, {"data", json::array({model})}});
    }));
    server_->Post("/v1/chat/completions", guarded([this](const httplib::Request& req, httplib::Response& res) {
        api::ChatCompletionRequest request = api::parse_chat_completion_request(parse_body(req));
        send_json(res, 200, backend_.chat_completion(request));
    }));
    server_->Post("/v1/infill", guarded([this](const httplib::Request& req, httplib::Response& res) {
        api::InfillHttpRequest request = api::parse_infill_request(parse_body(req));
        send_json(res, 200, api::to_json(backend_.infill(request)));
    }));
    // Routing misses, 413 and other library-level errors get the same JSON body.
    server_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        if (res.status == 404)
            send_error(res, 404, "no route for " + req.method + " " + req.path, "not_found");
        else if (res.status == 413)
            send_error(res, 413, "request body too large", "request_too_large");
        else
            send_error(res, res.status, "request failed", "invalid_request_error");
    });
}

int HttpServer::bind() {
    if (options_.port == 0) {
        port_ = server_->bind_to_any_port(options_.host);
    } else {
        port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
    }
    if (port_ <= 0)
        throw ExternalError(options_.host + ":" + std::to_string(options_.port), "cannot listen on this address");
    return port_;
}

void HttpServer::run() { server_->listen_after_bind(); }

void HttpServer::stop() { server_->stop(); }

}  // namespace remask
