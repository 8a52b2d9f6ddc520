#include "review/review_app.h"

#include <set>

#include "core/error.h"
#include "core/json_limits.h"
#include "core/log.h"
#include "optimize/feedback.h"
#include "optimize/feedback_log.h"
#include "review/pending_review.h"
#include "review/run_reader.h"
#include "server/api_schema.h"
#include "server/http_server.h"
#include "server/request_guard.h"

namespace remask::review {
namespace {

using nlohmann::json;

constexpr JsonLimits kBodyLimits{16, 4096};
constexpr size_t kMaxTextBytes = 20000;  // a comment, a reason or a note
constexpr size_t kMaxAuthorBytes = 200;

json parse_body(const httplib::Request& req) {
    if (!is_json_content_type(req.get_header_value("Content-Type")))
        throw api::HttpError(415, "invalid_request_error", "Content-Type must be application/json");
    json body;
    try {
        body = parse_json_limited(req.body, kBodyLimits);
    } catch (const json::parse_error& e) {
        throw api::HttpError(400, "invalid_request_error",
                             "malformed JSON body: " + parse_error_summary(e));
    } catch (const JsonLimitError& e) {
        throw api::HttpError(400, "invalid_request_error", std::string("JSON body ") + e.what());
    }
    if (!body.is_object())
        throw api::HttpError(400, "invalid_request_error", "the body must be a JSON object");
    return body;
}

// The string field `key` ("" when absent); 400 naming it when it is not a string or too long.
std::string text_field(const json& body, const char* key, size_t max_bytes) {
    if (!body.contains(key)) return "";
    if (!body[key].is_string())
        throw api::HttpError(400, "invalid_request_error",
                             std::string("'") + key + "' must be a string");
    std::string value = body[key].get<std::string>();
    if (value.size() > max_bytes)
        throw api::HttpError(
            400, "invalid_request_error",
            std::string("'") + key + "' is longer than " + std::to_string(max_bytes) + " bytes");
    return value;
}

void only_fields(const json& body, const std::set<std::string>& allowed) {
    for (const auto& [key, value] : body.items())
        if (!allowed.count(key))
            throw api::HttpError(400, "invalid_request_error",
                                 "unknown field '" + key.substr(0, 60) + "'");
}

}  // namespace

struct ReviewApp::Impl {
    Impl(std::string dir, ReviewOptions o, PendingReview* p)
        : run(std::move(dir)), options(std::move(o)), pending(p) {}

    RunReader run;
    ReviewOptions options;
    PendingReview* pending;
    std::unique_ptr<GuardedHttpServer> server;
    int port = 0;

    json feedback(const json& body);
    json decision(const json& body);
    void install_routes();
};

json ReviewApp::Impl::feedback(const json& body) {
    only_fields(body, {"author", "id", "score", "comment", "candidate", "note"});
    json entry = json::object();
    const std::string author = text_field(body, "author", kMaxAuthorBytes);
    if (body.contains("note")) {
        if (body.contains("id") || body.contains("score") || body.contains("comment"))
            throw api::HttpError(400, "invalid_request_error",
                                 "a note stands alone: no id, score or comment with it");
        const std::string note = text_field(body, "note", kMaxTextBytes);
        if (note.find_first_not_of(" \t\r\n") == std::string::npos)
            throw api::HttpError(400, "invalid_request_error", "'note' is empty");
        entry["note"] = note;
    } else {
        const std::string id = text_field(body, "id", 1000);
        if (id.empty())
            throw api::HttpError(400, "invalid_request_error", "needs 'id' (an example) or 'note'");
        const std::string comment = text_field(body, "comment", kMaxTextBytes);
        const std::string candidate = text_field(body, "candidate", 200);
        if (body.contains("score")) {
            const json& score = body["score"];
            if (!score.is_number() || !(score.get<double>() >= 0 && score.get<double>() <= 1))
                throw api::HttpError(400, "invalid_request_error",
                                     "'score' must be a number in [0, 1]");
            if (comment.find_first_not_of(" \t\r\n") == std::string::npos)
                throw api::HttpError(400, "invalid_request_error",
                                     "a score override needs a reason in 'comment'");
        } else if (comment.find_first_not_of(" \t\r\n") == std::string::npos) {
            throw api::HttpError(400, "invalid_request_error",
                                 "needs a 'comment' or a 'score' (with a reason)");
        }
        if (!run.example_ids().count(id))
            throw api::HttpError(404, "not_found",
                                 "no example '" + id.substr(0, 100) + "' in this run");
        if (!candidate.empty() && !run.has_candidate(candidate))
            throw api::HttpError(404, "not_found",
                                 "no candidate '" + candidate.substr(0, 100) + "'");
        entry["id"] = id;
        entry["comment"] = comment;
        if (body.contains("score")) entry["score"] = body["score"].get<double>();
        if (!candidate.empty()) entry["candidate"] = candidate;
    }
    if (!author.empty()) entry["author"] = author;
    entry["time"] = optimize::utc_timestamp();
    optimize::check_feedback_entry(entry, "request");  // the line a run will read back
    optimize::append_feedback_line(run.feedback_path(), entry);
    return entry;
}

json ReviewApp::Impl::decision(const json& body) {
    only_fields(body, {"action", "child", "author"});
    if (!pending)
        throw api::HttpError(409, "conflict", "this run is not live: nothing waits for a decision");
    const std::string action = text_field(body, "action", 20);
    const std::string child = text_field(body, "child", 200);
    const std::string author = text_field(body, "author", kMaxAuthorBytes);
    if ((action == "veto" || action == "pick") && child.empty())
        throw api::HttpError(400, "invalid_request_error", "a " + action + " needs 'child'");
    return pending->decide(action, child, [&](int64_t iteration) {
        json line = {{"decision", action}, {"iteration", iteration}};
        if (action == "veto" || action == "pick") line["child"] = child;
        if (!author.empty()) line["author"] = author;
        line["time"] = optimize::utc_timestamp();
        optimize::append_feedback_line(run.feedback_path(), line);
    });
}

void ReviewApp::Impl::install_routes() {
    install_request_guard(*server, RequestGuard{options.api_key, is_loopback_host(options.host)},
                          [](const std::string& path) { return path.rfind("/api/", 0) != 0; });
    install_json_error_handler(*server);
    server->set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
        res.set_header("X-Content-Type-Options", "nosniff");
        res.set_header("X-Frame-Options", "DENY");
        res.set_header("Cache-Control", "no-store");
        res.set_header("Referrer-Policy", "no-referrer");
    });
    auto api = [this](auto handler) {
        return [this, handler](const httplib::Request& req, httplib::Response& res) {
            try {
                handler(req, res);
            } catch (const api::HttpError& e) {
                send_error(res, e.status(), e.what(), e.type());
            } catch (const std::exception& e) {
                log_error("review: ", req.path, ": ", e.what());
                send_error(res, 500, std::string("cannot read the run: ") + e.what(),
                           "server_error");
            }
        };
    };
    server->Get("/api/run", api([this](const httplib::Request&, httplib::Response& res) {
                    json out = run.overview();
                    out["live"] = pending != nullptr;
                    out["waiting"] = pending && pending->waiting();
                    send_json(res, 200, out);
                }));
    server->Get("/api/candidates", api([this](const httplib::Request&, httplib::Response& res) {
                    send_json(res, 200, run.candidates());
                }));
    server->Get(R"(/api/candidates/([^/]+)/examples)",
                api([this](const httplib::Request& req, httplib::Response& res) {
                    const std::string id = req.matches[1];
                    std::optional<json> examples = run.examples(id);
                    if (!examples)
                        throw api::HttpError(404, "not_found",
                                             "no candidate '" + id.substr(0, 100) + "'");
                    send_json(res, 200, *examples);
                }));
    server->Get("/api/pending", api([this](const httplib::Request&, httplib::Response& res) {
                    send_json(res, 200, pending ? pending->pending() : json{{"waiting", false}});
                }));
    server->Post("/api/feedback", api([this](const httplib::Request& req, httplib::Response& res) {
                     send_json(res, 201, {{"entry", feedback(parse_body(req))}});
                 }));
    server->Post("/api/decision", api([this](const httplib::Request& req, httplib::Response& res) {
                     send_json(res, 200, decision(parse_body(req)));
                 }));
    server->Get(R"(/[a-z]*(\.[a-z]+)?)", [](const httplib::Request& req, httplib::Response& res) {
        const EmbeddedAsset* asset = find_review_asset(req.path);
        if (!asset) {
            send_error(res, 404, "no page " + req.path.substr(0, 100), "not_found");
            return;
        }
        res.set_content(reinterpret_cast<const char*>(asset->data), asset->size,
                        asset->content_type);
        // The page's own files only: no inline script, no other origin, no framing.
        res.set_header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    });
}

ReviewApp::ReviewApp(std::string run_dir, ReviewOptions options, PendingReview* pending)
    : impl_(std::make_unique<Impl>(std::move(run_dir), std::move(options), pending)) {
    ReviewOptions& o = impl_->options;
    o.connections.max_request_bytes = o.max_body_bytes + (64 << 10);
    impl_->server = std::make_unique<GuardedHttpServer>(o.connections);
    impl_->server->set_payload_max_length(o.max_body_bytes);
    impl_->install_routes();
}

ReviewApp::~ReviewApp() = default;

int ReviewApp::bind() {
    const ReviewOptions& o = impl_->options;
    int port = o.port == 0 ? impl_->server->bind_to_any_port(o.host)
                           : (impl_->server->bind_to_port(o.host, o.port) ? o.port : -1);
    if (port <= 0)
        throw ExternalError(o.host + ":" + std::to_string(o.port), "cannot listen on this address");
    impl_->port = port;
    return port;
}

void ReviewApp::run() { impl_->server->listen_after_bind(); }

void ReviewApp::stop() { impl_->server->stop(); }

std::string ReviewApp::url() const {
    const std::string& host = impl_->options.host;
    const bool v6 = host.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port) + "/";
}

}  // namespace remask::review
