#include "server/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

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

private:
    void wait_if_held() {
        std::unique_lock<std::mutex> lock(mutex_);
        ++waiting_;
        cv_.notify_all();
        cv_.wait(lock, [&] { return !held_; });
        --waiting_;
    }

    std::mutex mutex_;
    std::condition_variable cv_;
    bool held_ = false;
    int waiting_ = 0;
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

}  // namespace
}  // namespace remask
