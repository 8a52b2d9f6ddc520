#pragma once
// The connection layer of `remask serve`: cpp-httplib's request parsing and routing on
// sockets this file owns, so every connection is bounded in number and time.
//
//   GuardedHttpServer server({.max_connections = 512, .request_timeout_s = 30});
//   server.Get("/health", ...);                 // routes as on httplib::Server
//   server.bind_to_port("127.0.0.1", 8080); server.listen_after_bind();
//
// - At most max_connections connections are served at once, one thread each (started on
//   demand). A connection past that is answered by a load-shedding thread without being
//   read: `GET /health` gets 200, anything else 503 with Retry-After, then it is closed.
// - A request's line, headers and body must all arrive within request_timeout_s (slow
//   clients cannot hold a thread); a keep-alive connection idle for idle_timeout_s is closed.
// - Every request is bounded in bytes (line, headers and body, chunked bodies included:
//   httplib 0.11.4 bounds only bodies with a Content-Length); past it the read fails and
//   request_too_large() lets the error handler answer 413.
// - client_disconnected() tells a handler, from its own thread, whether its client has
//   gone (closed or reset the socket), so long generations can stop between steps.
//   Debian's cpp-httplib 0.11.4 offers no such query; the socket is ours here, so a
//   non-blocking poll/peek on it answers without reading the client's next request.

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace remask {

struct ConnectionLimits {
    int max_connections = 512;        // served at once; past it: /health or 503, then closed
    double request_timeout_s = 30;    // request line + headers + body of one request
    double idle_timeout_s = 5;        // keep-alive wait for the next request
    double write_timeout_s = 30;      // each wait for the client to take response bytes
    int max_requests_per_connection = 100;
    size_t max_request_bytes = (1 << 20) + (64 << 10);  // line + headers + body, chunked or not
    int retry_after_s = 1;
};

// True when the client of the request this thread is handling has closed or reset its
// connection. False outside a GuardedHttpServer request thread.
bool client_disconnected();

// For an error handler: the request on this thread read more than max_request_bytes
// (httplib itself bounds only bodies with a Content-Length).
bool request_too_large();
// For an error handler: close this connection after the response (a malformed request
// leaves the rest of the stream meaningless).
void close_after_response();

class GuardedHttpServer : public httplib::Server {
public:
    explicit GuardedHttpServer(ConnectionLimits limits);
    ~GuardedHttpServer() override;

    // httplib 0.11.4 listens with a backlog of 5, so a burst of connections waits for SYN
    // retransmits (1 s, 3 s, ...); call after binding to raise it.
    void raise_listen_backlog(int backlog);

    int open_connections() const { return open_.load(); }
    int64_t shed_connections() const { return shed_.load(); }

private:
    bool process_and_close_socket(socket_t sock) override;
    void serve_connection(socket_t sock);
    void shed_connection(socket_t sock);
    bool stopping() const { return svr_sock_ == INVALID_SOCKET; }

    ConnectionLimits limits_;
    std::atomic<int> open_{0};
    std::atomic<int64_t> shed_{0};
};

}  // namespace remask
