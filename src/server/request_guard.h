#pragma once
// The checks every HTTP front of remask runs before routing (`remask serve`, `remask
// review`), in one place so the two cannot drift apart:
//
//   RequestGuard guard{.api_key = key, .loopback = is_loopback_host(host)};
//   install_request_guard(server, guard, [](const std::string& path) { return path == "/health";
//   }); install_json_error_handler(server);   // 404 / 413 / library errors as JSON
//
// - with an api_key, every request (but the exempt paths) needs `Authorization: Bearer
//   <key>` (401), compared in constant time;
// - on a loopback server, a Host naming another host gets 403 (DNS rebinding);
// - a browser request whose Origin is not this server's, or a state-changing one (not
//   GET/HEAD/OPTIONS) marked `Sec-Fetch-Site: cross-site | same-site`, gets 403.
// Every error body is {"error": {"message", "type"}}.

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace remask {

struct RequestGuard {
    std::string api_key;   // empty: no authentication
    bool loopback = true;  // the server listens on a loopback address
};

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& type);

// True (and `res` filled with the error) when the request must be refused.
bool refuse_request(const httplib::Request& req, httplib::Response& res, const RequestGuard& guard,
                    bool exempt_from_key);

// Installs refuse_request as the pre-routing handler; `exempt_from_key(path)` names paths
// served without the key (e.g. /health, or a page's static assets).
void install_request_guard(httplib::Server& server, RequestGuard guard,
                           std::function<bool(const std::string& path)> exempt_from_key);

// Routing misses (404), oversize requests (413) and other library-level errors get a JSON
// error body; connections after a malformed request are closed.
void install_json_error_handler(httplib::Server& server);

// "application/json" with optional parameters ("; charset=utf-8"), any case.
bool is_json_content_type(std::string type);

}  // namespace remask
