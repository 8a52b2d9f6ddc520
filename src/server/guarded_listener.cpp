#include "server/guarded_listener.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>

namespace remask {
namespace {

using Clock = std::chrono::steady_clock;

thread_local socket_t t_client_socket = INVALID_SOCKET;  // the connection this thread serves
thread_local bool t_shedding = false;                      // this thread only sheds load
thread_local bool t_too_large = false;                     // the current request passed its byte bound
thread_local bool t_close_requested = false;               // close after the current response

int milliseconds_until(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::clamp<int64_t>(left, 0, 1 << 30));
}

int seconds_to_ms(double s) { return static_cast<int>(std::clamp(s * 1000.0, 1.0, 1e9)); }

// poll() for one event, retrying on EINTR; true when it (or an error/hang-up) is ready.
bool wait_for(socket_t sock, short events, int timeout_ms) {
    pollfd fd{sock, events, 0};
    int ready;
    do {
        ready = ::poll(&fd, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    return ready > 0;
}

void address_of(socket_t sock, bool peer, std::string& ip, int& port) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int rc = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&addr), &len)
                  : ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
    if (rc != 0) return;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        ip = host;
        port = std::atoi(serv);
    }
}

// A socket stream whose reads share one deadline per request (so a client trickling bytes
// cannot hold the connection past it) and whose writes each wait at most write_timeout.
// Buffered like httplib's own, since its line reader asks for one byte at a time.
class DeadlineSocketStream : public httplib::Stream {
public:
    DeadlineSocketStream(socket_t sock, int write_timeout_ms, size_t max_request_bytes)
        : sock_(sock), write_timeout_ms_(write_timeout_ms), max_request_bytes_(max_request_bytes) {}

    void start_request(Clock::time_point deadline) {
        deadline_ = deadline;
        timed_out_ = false;
        request_bytes_ = 0;
    }
    bool has_buffered() const { return begin_ < end_; }
    // A read of the current request ran past its deadline (httplib then answers 400 and
    // would keep the connection).
    bool timed_out() const { return timed_out_; }

    bool is_readable() const override { return has_buffered() || wait_for(sock_, POLLIN, milliseconds_until(deadline_)); }
    bool is_writable() const override { return wait_for(sock_, POLLOUT, write_timeout_ms_); }

    ssize_t read(char* ptr, size_t size) override {
        if (!has_buffered()) {
            if (!is_readable()) {
                timed_out_ = true;
                return -1;
            }
            if (size >= sizeof buffer_) {
                size = std::min(size, max_request_bytes_ - std::min(max_request_bytes_, request_bytes_) + 1);
                ssize_t n = receive(ptr, size);
                if (n > 0 && request_bytes_ + static_cast<size_t>(n) > max_request_bytes_) {
                    t_too_large = true;
                    return -1;
                }
                if (n > 0) request_bytes_ += static_cast<size_t>(n);
                return n;
            }
            ssize_t n = receive(buffer_, sizeof buffer_);
            if (n <= 0) return n;
            begin_ = 0;
            end_ = static_cast<size_t>(n);
        }
        size_t n = std::min(size, end_ - begin_);
        if (request_bytes_ + n > max_request_bytes_) {
            t_too_large = true;
            return -1;
        }
        request_bytes_ += n;
        std::memcpy(ptr, buffer_ + begin_, n);
        begin_ += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        if (!is_writable()) return -1;
        ssize_t n;
        do {
            n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        return n;
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, true, ip, port); }
    void get_local_ip_and_port(std::string& ip, int& port) const override { address_of(sock_, false, ip, port); }
    socket_t socket() const override { return sock_; }

private:
    ssize_t receive(char* ptr, size_t size) {
        ssize_t n;
        do {
            n = ::recv(sock_, ptr, size, 0);
        } while (n < 0 && errno == EINTR);
        return n;
    }

    socket_t sock_;
    int write_timeout_ms_;
    Clock::time_point deadline_ = Clock::now();
    char buffer_[4096];
    size_t begin_ = 0, end_ = 0;
    bool timed_out_ = false;
    size_t max_request_bytes_;
    size_t request_bytes_ = 0;
};

// httplib's task queue: one thread per connection up to max_connections (threads start on
// demand and are kept); past that, connections go to one load-shedding thread.
class ConnectionThreads : public httplib::TaskQueue {
public:
    explicit ConnectionThreads(size_t max_threads) : max_(std::max<size_t>(1, max_threads)) {
        shedder_ = std::thread([this] {
            t_shedding = true;
            run_jobs(shed_jobs_, wake_shedder_);
        });
    }
    ~ConnectionThreads() override { shutdown(); }

    void enqueue(std::function<void()> fn) override {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (busy_ + jobs_.size() >= max_) {
                shed_jobs_.push_back(std::move(fn));
            } else {
                jobs_.push_back(std::move(fn));
                if (jobs_.size() > idle_ && workers_.size() < max_)
                    workers_.emplace_back([this] { run_jobs(jobs_, wake_worker_); });
            }
        }
        wake_worker_.notify_one();
        wake_shedder_.notify_one();
    }

    // Runs every job already queued (each holds a socket to close), then joins.
    void shutdown() override {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) return;
            stopping_ = true;
        }
        wake_worker_.notify_all();
        wake_shedder_.notify_all();
        for (auto& worker : workers_) worker.join();
        shedder_.join();
    }

private:
    void run_jobs(std::deque<std::function<void()>>& queue, std::condition_variable& wake) {
        std::unique_lock<std::mutex> lock(mutex_);
        const bool counted = &queue == &jobs_;
        while (true) {
            if (counted) ++idle_;
            wake.wait(lock, [&] { return stopping_ || !queue.empty(); });
            if (counted) --idle_;
            if (queue.empty()) return;  // stopping, nothing left
            std::function<void()> job = std::move(queue.front());
            queue.pop_front();
            if (counted) ++busy_;
            lock.unlock();
            job();
            lock.lock();
            if (counted) --busy_;
        }
    }

    const size_t max_;
    std::mutex mutex_;
    std::condition_variable wake_worker_, wake_shedder_;
    std::deque<std::function<void()>> jobs_, shed_jobs_;
    std::vector<std::thread> workers_;
    std::thread shedder_;
    size_t busy_ = 0, idle_ = 0;
    bool stopping_ = false;
};

std::string canned_response(int status, const char* reason, const std::string& body, int retry_after_s) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason +
                       "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n";
    if (status == 503) head += "Retry-After: " + std::to_string(retry_after_s) + "\r\n";
    return head + "\r\n" + body;
}

}  // namespace

bool request_too_large() { return t_too_large; }

void close_after_response() { t_close_requested = true; }

bool client_disconnected() {
    const socket_t sock = t_client_socket;
    if (sock == INVALID_SOCKET) return false;
    pollfd fd{sock, static_cast<short>(POLLIN | POLLRDHUP), 0};
    if (::poll(&fd, 1, 0) <= 0) return false;
    if (fd.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL)) return true;
    // Readable: either the client's next (pipelined) request, which stays unread, or EOF.
    char byte;
    ssize_t n = ::recv(sock, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

GuardedHttpServer::GuardedHttpServer(ConnectionLimits limits) : limits_(limits) {
    const size_t max = static_cast<size_t>(std::max(1, limits_.max_connections));
    new_task_queue = [max] { return new ConnectionThreads(max); };
    // Only for the Keep-Alive header httplib writes; serve_connection enforces both.
    set_keep_alive_max_count(static_cast<size_t>(std::max(1, limits_.max_requests_per_connection)));
    set_keep_alive_timeout(static_cast<time_t>(std::ceil(limits_.idle_timeout_s)));
}

GuardedHttpServer::~GuardedHttpServer() = default;

void GuardedHttpServer::raise_listen_backlog(int backlog) {
    const socket_t sock = svr_sock_;
    if (sock != INVALID_SOCKET) ::listen(sock, backlog);  // on a listening socket: updates the backlog
}

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
    if (t_shedding) {
        shed_connection(sock);
        ::close(sock);
        return true;
    }
    ++open_;
    serve_connection(sock);
    // A lingering close: closing with unread input makes the kernel send a reset, which
    // can destroy the answer (a 413, a 400) before the client reads it. So: end our side,
    // then read and drop what the client still sends, for a bounded time and amount.
    ::shutdown(sock, SHUT_WR);
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(1000);
    char sink[16384];
    size_t dropped = 0;
    while (dropped < (1u << 20) && wait_for(sock, POLLIN, milliseconds_until(deadline))) {
        ssize_t n = ::recv(sock, sink, sizeof sink, MSG_DONTWAIT);
        if (n <= 0) break;
        dropped += static_cast<size_t>(n);
    }
    ::close(sock);
    --open_;
    return true;
}

void GuardedHttpServer::serve_connection(socket_t sock) {
    t_client_socket = sock;
    DeadlineSocketStream stream(sock, seconds_to_ms(limits_.write_timeout_s), limits_.max_request_bytes);
    const int idle_ms = seconds_to_ms(limits_.idle_timeout_s);
    for (int left = std::max(1, limits_.max_requests_per_connection); left > 0 && !stopping(); --left) {
        // Wait for the next request in short slices, so stop() is noticed while idle.
        const Clock::time_point idle_deadline = Clock::now() + std::chrono::milliseconds(idle_ms);
        bool ready = stream.has_buffered();
        while (!ready && !stopping() && Clock::now() < idle_deadline)
            ready = wait_for(sock, POLLIN, std::min(200, milliseconds_until(idle_deadline)));
        if (!ready) break;
        stream.start_request(Clock::now() + std::chrono::milliseconds(seconds_to_ms(limits_.request_timeout_s)));
        t_too_large = false;
        t_close_requested = false;
        bool connection_closed = false;
        bool keep_going = false;
        try {
            keep_going = process_request(stream, left == 1 || stopping(), connection_closed, nullptr);
        } catch (...) {
            // Parsing outside the handlers (headers, chunk sizes) must never end the process.
        }
        if (!keep_going || connection_closed || stream.timed_out() || t_too_large || t_close_requested) break;
    }
    t_client_socket = INVALID_SOCKET;
}

// Over the connection limit: answer without reading a body, so shedding stays cheap.
void GuardedHttpServer::shed_connection(socket_t sock) {
    ++shed_;
    char head[16] = {};
    ssize_t got = 0;
    if (wait_for(sock, POLLIN, 50)) got = ::recv(sock, head, sizeof head - 1, MSG_PEEK | MSG_DONTWAIT);
    const std::string start(head, got > 0 ? static_cast<size_t>(got) : 0);
    const bool health = start.rfind("GET /health ", 0) == 0 || start.rfind("GET /health?", 0) == 0;
    const std::string response =
        health ? canned_response(200, "OK", R"({"status":"ok"})", 0)
               : canned_response(503, "Service Unavailable",
                                 R"({"error":{"message":"server busy: too many connections","type":"server_busy"}})",
                                 limits_.retry_after_s);
    ::send(sock, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    // Read what the client already sent, so closing does not reset the answer away.
    ::shutdown(sock, SHUT_WR);
    char sink[4096];
    for (int i = 0; i < 16 && ::recv(sock, sink, sizeof sink, MSG_DONTWAIT) > 0; ++i) {
    }
}

}  // namespace remask
