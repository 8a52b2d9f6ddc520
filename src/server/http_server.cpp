#include "server/http_server.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <chrono>

#include "core/error.h"
#include "core/json_limits.h"
#include "core/log.h"
#include "server/request_guard.h"

namespace remask {
namespace {

using nlohmann::json;

// Bounds on a request's JSON, far above what a chat or infill request needs.
constexpr JsonLimits kBodyLimits{64, 65536};

json parse_body(const httplib::Request& req) {
    try {
        return parse_json_limited(req.body, kBodyLimits);
    } catch (const json::parse_error& e) {
        throw api::HttpError(400, "invalid_request_error", "malformed JSON body: " + parse_error_summary(e));
    } catch (const JsonLimitError& e) {
        throw api::HttpError(400, "invalid_request_error", std::string("JSON body ") + e.what());
    }
}

}  // namespace

bool is_loopback_host(const std::string& raw) {
    std::string host = raw;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") return true;
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

HttpServer::HttpServer(ServeBackend& backend, ServeOptions options)
    : backend_(backend), options_(std::move(options)) {
    options_.connections.retry_after_s = options_.retry_after_s;
    options_.connections.max_request_bytes = options_.max_body_bytes + (64 << 10);
    server_ = std::make_unique<GuardedHttpServer>(options_.connections);
    loopback_ = is_loopback_host(options_.host);
    server_->set_payload_max_length(options_.max_body_bytes);
    install_routes();
}

HttpServer::~HttpServer() = default;

void HttpServer::install_routes() {
    // Checks every request (but /health) must pass before it is routed: key, then origin.
    server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (req.path == "/health") return httplib::Server::HandlerResponse::Unhandled;
        return refuse_request(req, res, {options_.api_key, loopback_}, false) ? httplib::Server::HandlerResponse::Handled
                                                                               : httplib::Server::HandlerResponse::Unhandled;
    });

    const int admit_limit = options_.max_active + options_.max_queued;

    // Wraps a JSON endpoint: admission, a turn to compute, and the error mapping.
    auto guarded = [this, admit_limit](bool json_body, auto body) {
        return [this, admit_limit, json_body, body](const httplib::Request& req, httplib::Response& res) {
            if (json_body && !is_json_content_type(req.get_header_value("Content-Type"))) {
                send_error(res, 415, "Content-Type must be application/json", "invalid_request_error");
                return;
            }
            struct Admission {
                std::atomic<int>& count;
                ~Admission() { --count; }
            } admission{admitted_};
            if (++admitted_ > admit_limit) {
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
            } catch (const ClientGone&) {
                ++cancelled_;
                log_line(LogLevel::info, "serve: " + req.path + ": client disconnected; its request was cancelled");
                res.status = 499;  // nobody reads it; keeps the access log honest
            } catch (const std::exception& e) {
                const int64_t id = next_error_id_++;
                log_error("serve: ", req.path, ": error ", id, ": ", e.what());
                send_error(res, 500, "internal error " + std::to_string(id) + " (details in the server's log)",
                           "server_error");
            }
            ++served_;
        };
    };
    // Holds one of max_active turns while a backend call computes; waiting requests give
    // up if their client leaves.
    auto with_turn = [this](auto work) {
        {
            std::unique_lock<std::mutex> lock(turn_mutex_);
            while (computing_ >= options_.max_active) {
                turn_freed_.wait_for(lock, std::chrono::milliseconds(200));
                if (computing_ >= options_.max_active && client_disconnected()) throw ClientGone();
            }
            ++computing_;
        }
        struct Turn {
            HttpServer* self;
            ~Turn() {
                {
                    std::lock_guard<std::mutex> lock(self->turn_mutex_);
                    --self->computing_;
                }
                self->turn_freed_.notify_one();
            }
        } turn{this};
        return work();
    };

    server_->Get("/health", [](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, {{"status", "ok"}});
    });
    server_->Get("/v1/models", guarded(false, [this](const httplib::Request&, httplib::Response& res) {
        json model = {{"id", backend_.model_id()}, {"object", "model"}, {"created", 0}, {"owned_by", "remask"}};
        send_json(res, 200, {{"object", "list"}, {"data", json::array({model})}});
    }));
    server_->Post("/v1/chat/completions", guarded(true, [this, with_turn](const httplib::Request& req, httplib::Response& res) {
        api::ChatCompletionRequest request = api::parse_chat_completion_request(parse_body(req));
        send_json(res, 200, with_turn([&] { return backend_.chat_completion(request); }));
    }));
    server_->Post("/v1/infill", guarded(true, [this, with_turn](const httplib::Request& req, httplib::Response& res) {
        api::InfillHttpRequest request = api::parse_infill_request(parse_body(req));
        send_json(res, 200, api::to_json(with_turn([&] { return backend_.infill(request); })));
    }));
    // Anything a handler let escape: a 500 that names no internal detail.
    server_->set_exception_handler([this](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        const int64_t id = next_error_id_++;
        try {
            if (error) std::rethrow_exception(error);
        } catch (const std::exception& e) {
            log_error("serve: ", req.path, ": error ", id, ": ", e.what());
        } catch (...) {
        }
        send_error(res, 500, "internal error " + std::to_string(id) + " (details in the server's log)", "server_error");
    });
    // Routing misses, 413 and other library-level errors get the same JSON body.
    install_json_error_handler(*server_);
}

int HttpServer::bind() {
    if (options_.port == 0) {
        port_ = server_->bind_to_any_port(options_.host);
    } else {
        port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
    }
    if (port_ <= 0)
        throw ExternalError(options_.host + ":" + std::to_string(options_.port), "cannot listen on this address");
    server_->raise_listen_backlog(std::max(128, options_.connections.max_connections));
    return port_;
}

void HttpServer::run() { server_->listen_after_bind(); }

void HttpServer::stop() { server_->stop(); }

}  // namespace remask
