#include "server/request_guard.h"

#include <cctype>

#include "server/api_schema.h"
#include "server/guarded_listener.h"
#include "server/http_server.h"

namespace remask {
namespace {

// Compares without stopping at the first difference, so timing tells nothing of the key.
bool same_secret(const std::string& given, const std::string& key) {
    unsigned char diff = given.size() == key.size() ? 0 : 1;
    for (size_t i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ key[i % key.size()]);
    return diff == 0;
}

// The host part of a Host header or an origin's authority: "[::1]:80" -> "::1".
std::string host_of(std::string authority) {
    if (const size_t scheme = authority.find("://"); scheme != std::string::npos)
        authority.erase(0, scheme + 3);
    if (!authority.empty() && authority.front() == '[') {
        const size_t close = authority.find(']');
        return close == std::string::npos ? authority : authority.substr(1, close - 1);
    }
    return authority.substr(0, authority.find(':'));
}

// Strips the scheme and a trailing slash: "http://a:1/" -> "a:1".
std::string authority_of(std::string origin) {
    if (const size_t scheme = origin.find("://"); scheme != std::string::npos)
        origin.erase(0, scheme + 3);
    while (!origin.empty() && origin.back() == '/') origin.pop_back();
    return origin;
}

bool changes_state(const std::string& method) {
    return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

}  // namespace

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    // Replace, never throw: error messages may quote client bytes that are not UTF-8.
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::string& type) {
    send_json(res, status, api::error_body(message, type));
}

bool is_json_content_type(std::string type) {
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const size_t end = type.find(';');
    std::string media = type.substr(0, end);
    while (!media.empty() && media.back() == ' ') media.pop_back();
    return media == "application/json";
}

bool refuse_request(const httplib::Request& req, httplib::Response& res, const RequestGuard& guard,
                    bool exempt_from_key) {
    if (!guard.api_key.empty() && !exempt_from_key) {
        const std::string auth = req.get_header_value("Authorization");
        const std::string bearer = "Bearer ";
        if (auth.compare(0, bearer.size(), bearer) != 0 ||
            !same_secret(auth.substr(bearer.size()), guard.api_key)) {
            res.set_header("WWW-Authenticate", "Bearer");
            send_error(res, 401, "missing or wrong API key (Authorization: Bearer <key>)",
                       "authentication_error");
            return true;
        }
    }
    const std::string host = req.get_header_value("Host");
    // A page that rebinds its own name to 127.0.0.1 still sends that name as Host.
    if (guard.loopback && !host.empty() && !is_loopback_host(host_of(host))) {
        send_error(res, 403, "Host '" + host.substr(0, 100) + "' is not this loopback server",
                   "forbidden");
        return true;
    }
    // Browsers name the page's origin; only a page served from this server may call it.
    if (req.has_header("Origin") && authority_of(req.get_header_value("Origin")) != host) {
        send_error(res, 403, "requests from another origin are refused", "forbidden");
        return true;
    }
    // Browsers that leave Origin out still say where a request comes from.
    const std::string site = req.get_header_value("Sec-Fetch-Site");
    if (changes_state(req.method) && (site == "cross-site" || site == "same-site")) {
        send_error(res, 403, "state-changing requests from another site are refused", "forbidden");
        return true;
    }
    return false;
}

void install_request_guard(httplib::Server& server, RequestGuard guard,
                           std::function<bool(const std::string& path)> exempt_from_key) {
    server.set_pre_routing_handler([guard = std::move(guard), exempt = std::move(exempt_from_key)](
                                       const httplib::Request& req, httplib::Response& res) {
        const bool exempt_path = exempt && exempt(req.path);
        return refuse_request(req, res, guard, exempt_path)
                   ? httplib::Server::HandlerResponse::Handled
                   : httplib::Server::HandlerResponse::Unhandled;
    });
}

void install_json_error_handler(httplib::Server& server) {
    // Nothing here may throw: httplib calls it outside any handler's try.
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        // Library-level errors other than a routing miss: the rest of the stream is not a
        // request worth reading.
        if (res.status != 404) close_after_response();
        if (request_too_large()) res.status = 413;
        if (res.status == 404) {
            std::string path = req.path.substr(0, 200);
            send_error(res, 404, "no route for " + req.method.substr(0, 16) + " " + path,
                       "not_found");
        } else if (res.status == 413) {
            send_error(res, 413, "request body too large", "request_too_large");
        } else {
            send_error(res, res.status, "request failed", "invalid_request_error");
        }
    });
}

}  // namespace remask
