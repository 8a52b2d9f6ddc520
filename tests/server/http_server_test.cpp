#include "server/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

namespace remask {
namespace {

using nlohmann::json;

// Echoes the last user message; can be told to hold every request until released.
class EchoBackend : public ServeBackend {
public:
    std::string model_id() const override { return "echo-model"; }

    json chat_completion(const api::ChatCompletionRequest& request) override {
        wait_if_held();
        return {{"id", "chatcmpl-1"},
                {"object", "chat.completion"},
                {"model", model_id()},
                {"choices", json::array({{{"index", 0},
                                          {"message", {{"role", "assistant"}, {"content", request.messages.back().content}}},
                                          {"finish_reason", "stop"}}})},
                {"usage", {{"prompt_tokens", 1}, {"completion_tokens", 1}, {"total_tokens", 2}}}};
    }

    api::InfillHttpResponse infill(const api::InfillHttpRequest& request) override {
        if (request.text == "fail") throw std::runtime_error("secret detail /etc/remask");
        if (request.text == "until-gone") {
            // Works "step by step" until its client leaves, as a long generation would.
            for (int step = 0; step < 3000; ++step) {
                if (client_disconnected()) throw ClientGone();
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait_for(lock, std::chrono::milliseconds(10));
            }
            throw std::runtime_error("the client never left");
        }
        api::InfillHttpResponse response;
        for (int64_t i = 0; i < request.candidates; ++i) response.candidates.push_back({request.text, {}});
        response.forward_passes = request.steps;
        return response;
    }

    void hold() {
        std::lock_guard<std::mutex> lock(mutex_);
        held_ = true;
    }
    void release() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            held_ = false;
        }
        cv_.notify_all();
    }
    void wait_until_waiting(int n) {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [&] { return waiting_ >= n; });
    }

    int most_at_once() {
        std::lock_guard<std::mutex> lock(mutex_);
        return most_waiting_;
    }

private:
    void wait_if_held() {
        std::unique_lock<std::mutex> lock(mutex_);
        ++waiting_;
        most_waiting_ = std::max(most_waiting_, waiting_);
        cv_.notify_all();
        cv_.wait(lock, [&] { return !held_; });
        --waiting_;
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    bool held_ = false;
    int waiting_ = 0;
    int most_waiting_ = 0;
};

class ServerTest : public ::testing::Test {
protected:
    void start(ServeOptions options) {
        options.port = 0;
        server_ = std::make_unique<HttpServer>(backend_, options);
        port_ = server_->bind();
        thread_ = std::thread([this] { server_->run(); });
    }
    void SetUp() override { start({}); }
    void TearDown() override {
        backend_.release();
        server_->stop();
        thread_.join();
    }
    httplib::Client client() { return httplib::Client("127.0.0.1", port_); }

    EchoBackend backend_;
    std::unique_ptr<HttpServer> server_;
    std::thread thread_;
    int port_ = 0;
};

const char* kChat = R"({"model": "x", "messages": [{"role": "user", "content": "hello"}]})";

TEST_F(ServerTest, HealthAndModels) {
    auto cli = client();
    auto health = cli.Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(json::parse(health->body), json({{"status", "ok"}}));
    auto models = cli.Get("/v1/models");
    ASSERT_TRUE(models);
    EXPECT_EQ(json::parse(models->body)["data"][0]["id"], "echo-model");
}

TEST_F(ServerTest, ChatCompletionAnswers) {
    auto res = client().Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(json::parse(res->body)["choices"][0]["message"]["content"], "hello");
}

TEST_F(ServerTest, BadRequestsGet400WithJsonErrorAndServerKeepsServing) {
    auto cli = client();
    struct Case {
        const char* body;
        const char* field;
    } cases[] = {
        {"{not json", "malformed JSON"},
        {R"({"model": "x"})", "'messages'"},
        {R"({"messages": "hi"})", "'messages'"},
        {R"({"messages": [{"role": "user", "content": "a"}], "temperature": "hot"})", "'temperature'"},
        {R"({"messages": [{"role": "wizard", "content": "a"}]})", "messages[0].role"},
        {R"({"messages": [{"role": "user", "content": "a"}], "max_tokens": 1.5})", "'max_tokens'"},
    };
    for (const auto& c : cases) {
        auto res = cli.Post("/v1/chat/completions", c.body, "application/json");
        ASSERT_TRUE(res) << c.body;
        EXPECT_EQ(res->status, 400) << c.body;
        json body = json::parse(res->body);
        EXPECT_NE(body["error"]["message"].get<std::string>().find(c.field), std::string::npos) << res->body;
        EXPECT_EQ(body["error"]["type"], "invalid_request_error");
    }
    auto ok = cli.Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
}

TEST_F(ServerTest, InfillValidatesAndAnswers) {
    auto cli = client();
    auto missing = cli.Post("/v1/infill", R"({"steps": 4})", "application/json");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 400);
    auto res = cli.Post("/v1/infill", R"({"text": "a <mask:2> b", "candidates": 3, "steps": 5})", "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200);
    api::InfillHttpResponse parsed = api::parse_infill_response(json::parse(res->body));
    EXPECT_EQ(parsed.candidates.size(), 3u);
    EXPECT_EQ(parsed.forward_passes, 5);
}

TEST_F(ServerTest, UnknownRouteIs404WithJsonBody) {
    auto res = client().Get("/v1/nothing");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 404);
    EXPECT_EQ(json::parse(res->body)["error"]["type"], "not_found");
}

TEST(Server, OversizedBodyIs413) {
    EchoBackend backend;
    ServeOptions options;
    options.port = 0;
    options.max_body_bytes = 1000;
    HttpServer server(backend, options);
    int port = server.bind();
    std::thread thread([&] { server.run(); });
    httplib::Client cli("127.0.0.1", port);
    std::string big = R"({"messages": [{"role": "user", "content": ")" + std::string(5000, 'a') + "\"}]}";
    auto res = cli.Post("/v1/chat/completions", big, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 413);
    auto ok = cli.Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    server.stop();
    thread.join();
}

TEST(Server, FullQueueAnswers503WithRetryAfterAndStopFinishesInFlight) {
    EchoBackend backend;
    ServeOptions options;
    options.port = 0;
    options.max_active = 1;
    options.max_queued = 0;
    HttpServer server(backend, options);
    int port = server.bind();
    std::thread thread([&] { server.run(); });

    backend.hold();
    auto first = std::async(std::launch::async, [port] {
        httplib::Client cli("127.0.0.1", port);
        return cli.Post("/v1/chat/completions", kChat, "application/json");
    });
    backend.wait_until_waiting(1);
    httplib::Client cli("127.0.0.1", port);
    auto busy = cli.Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(busy->get_header_value("Retry-After"), "1");

    // Stopping while the first request is held: it still gets its answer.
    std::thread stopper([&] { server.stop(); });
    backend.release();
    auto answered = first.get();
    stopper.join();
    thread.join();
    ASSERT_TRUE(answered);
    EXPECT_EQ(answered->status, 200);
}

// A raw loopback connection, for requests no HTTP client would send.
class RawConnection {
public:
    explicit RawConnection(int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~RawConnection() { close(); }
    bool connected() const { return connected_; }
    void send(const std::string& bytes) { (void)::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    // Everything the server sends until it closes the connection (or timeout_ms passes).
    std::string read_until_closed(int timeout_ms) {
        std::string out;
        char buffer[4096];
        pollfd fd{fd_, POLLIN, 0};
        while (::poll(&fd, 1, timeout_ms) > 0) {
            ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) {
                closed_ = true;
                break;
            }
            out.append(buffer, static_cast<size_t>(n));
        }
        return out;
    }
    bool closed_by_server() const { return closed_; }

private:
    int fd_ = -1;
    bool connected_ = false;
    bool closed_ = false;
};

ServeOptions quick_options() {
    ServeOptions options;
    options.port = 0;
    return options;
}

// Was: the 404 message carried the decoded path, json::dump threw on its invalid UTF-8
// outside any try, and the process aborted.
TEST_F(ServerTest, InvalidUtf8PathGets404AndTheServerLives) {
    RawConnection raw(port_);
    raw.send("GET /%FF%FE HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    std::string reply = raw.read_until_closed(10000);
    EXPECT_NE(reply.find("404"), std::string::npos) << reply;
    EXPECT_NE(reply.find("not_found"), std::string::npos) << reply;
    auto health = client().Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
}

// Was: json::value("type", "") threw type_error on a number: a 500.
TEST_F(ServerTest, NonStringContentPartTypeIs400) {
    auto res = client().Post("/v1/chat/completions",
                             R"({"messages": [{"role": "user", "content": [{"type": 1, "text": "a"}]}]})",
                             "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
    EXPECT_NE(res->body.find("messages[0].content"), std::string::npos) << res->body;
}

TEST_F(ServerTest, InternalErrorsAre500WithoutTheirDetail) {
    auto res = client().Post("/v1/infill", R"({"text": "fail"})", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 500);
    EXPECT_EQ(res->body.find("secret"), std::string::npos) << res->body;
    EXPECT_EQ(json::parse(res->body)["error"]["type"], "server_error");
}

TEST_F(ServerTest, JsonEndpointsNeedJsonContentType) {
    auto cli = client();
    auto plain = cli.Post("/v1/chat/completions", kChat, "text/plain");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->status, 415);
    auto with_charset = cli.Post("/v1/chat/completions", kChat, "application/json; charset=utf-8");
    ASSERT_TRUE(with_charset);
    EXPECT_EQ(with_charset->status, 200);
}

TEST_F(ServerTest, OtherOriginsAndForeignHostsAreRefused) {
    auto cli = client();
    auto cross = cli.Post("/v1/chat/completions", httplib::Headers{{"Origin", "http://evil.example"}}, kChat,
                          "application/json");
    ASSERT_TRUE(cross);
    EXPECT_EQ(cross->status, 403);
    auto rebound = cli.Post("/v1/chat/completions", httplib::Headers{{"Host", "evil.example:8080"}}, kChat,
                            "application/json");
    ASSERT_TRUE(rebound);
    EXPECT_EQ(rebound->status, 403);
    const std::string self = "127.0.0.1:" + std::to_string(port_);
    auto same = cli.Post("/v1/chat/completions", httplib::Headers{{"Origin", "http://" + self}}, kChat,
                         "application/json");
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 200) << same->body;
}

TEST_F(ServerTest, DeepOrHugeJsonIs400) {
    auto cli = client();
    std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto nested = cli.Post("/v1/infill", deep, "application/json");
    ASSERT_TRUE(nested);
    EXPECT_EQ(nested->status, 400);
    EXPECT_NE(nested->body.find("deeper"), std::string::npos) << nested->body;
    std::string many = "[0";
    for (int i = 0; i < 70000; ++i) many += ",0";
    many += "]";
    auto wide = cli.Post("/v1/infill", many, "application/json");
    ASSERT_TRUE(wide);
    EXPECT_EQ(wide->status, 400);
    std::string invalid = "{\"text\": \"\xff" + std::string(100000, 'a') + "\"}";
    auto bad_utf8 = cli.Post("/v1/infill", invalid, "application/json");
    ASSERT_TRUE(bad_utf8);
    EXPECT_EQ(bad_utf8->status, 400);
    EXPECT_LT(bad_utf8->body.size(), 1000u) << "the message must not quote the body";
}

TEST(Server, ApiKeyIsRequiredExceptForHealth) {
    EchoBackend backend;
    ServeOptions options = quick_options();
    options.api_key = "s3cret-key";
    HttpServer server(backend, options);
    int port = server.bind();
    std::thread thread([&] { server.run(); });
    httplib::Client cli("127.0.0.1", port);
    auto none = cli.Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->status, 401);
    EXPECT_EQ(json::parse(none->body)["error"]["type"], "authentication_error");
    cli.set_bearer_token_auth("s3cret-kez");
    auto wrong = cli.Get("/v1/models");
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 401);
    cli.set_bearer_token_auth("s3cret-key");
    auto right = cli.Post("/v1/chat/completions", kChat, "application/json");
    ASSERT_TRUE(right);
    EXPECT_EQ(right->status, 200);
    httplib::Client anonymous("127.0.0.1", port);
    auto health = anonymous.Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    server.stop();
    thread.join();
}

// Was: every admitted request ran at once; max_active bounded nothing.
TEST(Server, MaxActiveBoundsRequestsComputingAtOnce) {
    EchoBackend backend;
    ServeOptions options = quick_options();
    options.max_active = 1;
    options.max_queued = 1;
    HttpServer server(backend, options);
    int port = server.bind();
    std::thread thread([&] { server.run(); });
    backend.hold();
    auto post = [port] {
        httplib::Client cli("127.0.0.1", port);
        cli.set_read_timeout(60);
        return cli.Post("/v1/chat/completions", kChat, "application/json");
    };
    auto first = std::async(std::launch::async, post);
    backend.wait_until_waiting(1);
    // One of these waits for its turn (queued); the other finds no room and gets 503.
    auto second = std::async(std::launch::async, post);
    auto third = std::async(std::launch::async, post);
    std::future<httplib::Result>* refused = nullptr;
    std::future<httplib::Result>* queued = nullptr;
    while (refused == nullptr) {
        if (second.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) {
            refused = &second, queued = &third;
        } else if (third.wait_for(std::chrono::milliseconds(10)) == std::future_status::ready) {
            refused = &third, queued = &second;
        }
    }
    auto busy = refused->get();
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(backend.most_at_once(), 1);
    backend.release();
    EXPECT_EQ(first.get()->status, 200);
    EXPECT_EQ(queued->get()->status, 200);
    EXPECT_EQ(backend.most_at_once(), 1) << "the queued request computed while the first did";
    server.stop();
    thread.join();
}

TEST(Server, DisconnectedClientsGenerationIsCancelled) {
    EchoBackend backend;
    HttpServer server(backend, quick_options());
    int port = server.bind();
    std::thread thread([&] { server.run(); });
    {
        RawConnection raw(port);
        const std::string body = R"({"text": "until-gone"})";
        raw.send("POST /v1/infill HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\n\r\n" + body);
    }  // closed while the backend works
    for (int i = 0; i < 3000 && server.requests_cancelled() == 0; ++i) {
        httplib::Client cli("127.0.0.1", port);
        cli.Get("/health");  // a condition poll, not a timing assertion
    }
    EXPECT_EQ(server.requests_cancelled(), 1);
    server.stop();
    thread.join();
}

TEST(Server, SlowClientIsCutAtTheRequestTimeout) {
    EchoBackend backend;
    ServeOptions options = quick_options();
    options.connections.request_timeout_s = 0.5;
    HttpServer server(backend, options);
    int port = server.bind();
    std::thread thread([&] { server.run(); });
    RawConnection raw(port);
    raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n");
    raw.read_until_closed(20000);
    EXPECT_TRUE(raw.closed_by_server()) << "a request that never completes must not hold its connection";
    httplib::Client cli("127.0.0.1", port);
    auto health = cli.Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    server.stop();
    thread.join();
}

TEST(Server, PastTheConnectionLimitHealthAnswersAndOthersGet503) {
    EchoBackend backend;
    ServeOptions options = quick_options();
    options.connections.max_connections = 2;
    options.connections.idle_timeout_s = 60;
    HttpServer server(backend, options);
    int port = server.bind();
    std::thread thread([&] { server.run(); });
    // Two idle keep-alive connections hold both connection threads.
    httplib::Client a("127.0.0.1", port), b("127.0.0.1", port);
    a.set_keep_alive(true);
    b.set_keep_alive(true);
    ASSERT_EQ(a.Get("/v1/models")->status, 200);
    ASSERT_EQ(b.Get("/v1/models")->status, 200);
    RawConnection health(port);
    health.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string answer = health.read_until_closed(20000);
    EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
    EXPECT_NE(answer.find(R"({"status":"ok"})"), std::string::npos) << answer;
    RawConnection other(port);
    other.send("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    std::string refused = other.read_until_closed(20000);
    EXPECT_NE(refused.find("503"), std::string::npos) << refused;
    EXPECT_NE(refused.find("Retry-After"), std::string::npos) << refused;
    a.stop();
    b.stop();
    server.stop();
    thread.join();
}

}  // namespace
}  // namespace remask
