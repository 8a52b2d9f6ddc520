#include "fake_openai_server.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <ctime>
#include <stdexcept>

namespace remask::testing {

using nlohmann::json;

struct FakeOpenAIServer::Impl {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    mutable std::mutex mutex;
    FaultPlan plan;
    std::chrono::milliseconds reply_delay{0};
    std::chrono::milliseconds slow_delay{300};
    std::map<std::string, int> attempts;
    std::vector<std::string> texts;
    std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> arrivals;
    std::string last_authorization;
    std::string last_body;
    std::string retry_header = "Retry-After", retry_value = "0";
};

namespace {

std::string last_user_text(const json& body) {
    std::string text;
    if (body.contains("messages") && body["messages"].is_array())
        for (const auto& message : body["messages"])
            if (message.value("role", "") == "user" && message["content"].is_string())
                text = message["content"].get<std::string>();
    return text;
}

json good_reply(const json& request, const std::string& text) {
    json message = {{"role", "assistant"}, {"content", "answer to " + text}};
    std::string finish = "stop";
    if (text.rfind("call:", 0) == 0 && request.contains("tools") && !request["tools"].empty()) {
        message["content"] = nullptr;
        message["tool_calls"] = json::array(
            {{{"id", "call_1"},
              {"type", "function"},
              {"function", {{"name", request["tools"][0]["function"]["name"]},
                            {"arguments", "{\"query\": \"" + text.substr(5) + "\"}"}}}}});
        finish = "tool_calls";
    }
    return {{"id", "chatcmpl-fake"},
            {"object", "chat.completion"},
            {"model", request.value("model", "fake-model")},
            {"choices", json::array({{{"index", 0}, {"message", message}, {"finish_reason", finish}}})},
            {"usage", {{"prompt_tokens", int(text.size())}, {"completion_tokens", 3},
                       {"total_tokens", int(text.size()) + 3}}}};
}

void error_reply(httplib::Response& res, int status, const std::string& message) {
    res.status = status;
    res.set_content(json{{"error", {{"message", message}, {"type", "fake_error"}}}}.dump(),
                    "application/json");
}

std::string http_date_in_past() {
    std::time_t past = std::time(nullptr) - 3600;
    std::tm parts{};
    gmtime_r(&past, &parts);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &parts);
    return text;
}

}  // namespace

FakeOpenAIServer::FakeOpenAIServer() : impl_(std::make_unique<Impl>()) {
    // A late reply to a client that gave up must fail with EPIPE, not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    // Plenty of threads: a connection holds one for its life, and abandoned slow replies
    // hold theirs until they finish.
    impl_->server.new_task_queue = [] { return new httplib::ThreadPool(160); };
    // Keep-alive connections live for the whole test (Debian's build closes them after 5
    // requests), and replies are not held back by Nagle's algorithm.
    impl_->server.set_keep_alive_max_count(1000000);
    impl_->server.set_tcp_nodelay(true);
    impl_->server.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"object":"list","data":[{"id":"fake-model","object":"model"}]})",
                        "application/json");
    });
    impl_->server.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
        ++requests_;
        json body = json::parse(req.body, nullptr, false);
        std::string text = body.is_discarded() ? "" : last_user_text(body);
        Fault fault = Fault::none;
        std::chrono::milliseconds delay, slow;
        std::string retry_header, retry_value;
        {
            std::lock_guard lock(impl_->mutex);
            int attempt = impl_->attempts[text]++;
            impl_->texts.push_back(text);
            impl_->arrivals[text].push_back(std::chrono::steady_clock::now());
            impl_->last_authorization = req.get_header_value("Authorization");
            impl_->last_body = req.body;
            if (impl_->plan) fault = impl_->plan(text, attempt);
            delay = impl_->reply_delay;
            slow = impl_->slow_delay;
            retry_header = impl_->retry_header;
            retry_value = impl_->retry_value;
        }
        if (fault == Fault::slow) {
            std::this_thread::sleep_for(slow);
            res.set_content(good_reply(body, text).dump(), "application/json");
            return;
        }
        int now = ++concurrent_;
        for (int seen = max_concurrent_.load(); now > seen && !max_concurrent_.compare_exchange_weak(seen, now);) {}
        if (delay.count() > 0) std::this_thread::sleep_for(delay);
        switch (fault) {
            case Fault::none:
                if (body.is_discarded()) {
                    error_reply(res, 400, "request body is not JSON");
                    break;
                }
                res.set_content(good_reply(body, text).dump(), "application/json");
                ++good_replies_;
                break;
            case Fault::rate_limited_retry_after:
                error_reply(res, 429, "Rate limit reached");
                res.set_header("Retry-After", "0");
                break;
            case Fault::rate_limited_retry_after_ms:
                error_reply(res, 429, "Rate limit reached");
                res.set_header("retry-after-ms", "2");
                break;
            case Fault::rate_limited_date:
                error_reply(res, 429, "Rate limit reached");
                res.set_header("Retry-After", http_date_in_past());
                break;
            case Fault::rate_limited_custom:
                error_reply(res, 429, "Rate limit reached");
                res.set_header(retry_header.c_str(), retry_value);
                break;
            case Fault::rate_limited_bare: error_reply(res, 429, "Too many requests"); break;
            case Fault::internal_error_500: error_reply(res, 500, "The server had an error"); break;
            case Fault::unavailable_503: error_reply(res, 503, "Overloaded"); break;
            case Fault::dropped:
                res.set_content_provider(4096, "application/json",
                                         [](size_t, size_t, httplib::DataSink&) { return false; });
                break;
            case Fault::truncated_json: {
                std::string full = good_reply(body, text).dump();
                res.set_content(full.substr(0, full.size() / 2), "application/json");
                break;
            }
            case Fault::malformed_json: res.set_content("{\"choices\": [oops}", "application/json"); break;
            case Fault::wrong_content_type:
                res.set_content("<html><body>502 Bad Gateway</body></html>", "text/html");
                break;
            case Fault::bad_request_400: error_reply(res, 400, "Invalid value for 'temperature'"); break;
            case Fault::unauthorized_401: error_reply(res, 401, "Incorrect API key provided"); break;
            case Fault::forbidden_403: error_reply(res, 403, "Project does not have access"); break;
            case Fault::not_found_404:
                error_reply(res, 404, "The model 'nope' does not exist");
                break;
            case Fault::slow: break;
        }
        --concurrent_;
    });
    impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
    if (impl_->port <= 0) throw std::runtime_error("fake server: cannot bind a port");
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    // The socket already listens, so early connections wait in its backlog; still, wait
    // for the accept loop so stop() cannot race with its start.
    while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeOpenAIServer::~FakeOpenAIServer() {
    impl_->server.stop();
    impl_->thread.join();
}

std::string FakeOpenAIServer::base_url() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port) + "/v1";
}

void FakeOpenAIServer::set_fault_plan(FaultPlan plan) {
    std::lock_guard lock(impl_->mutex);
    impl_->plan = std::move(plan);
}

void FakeOpenAIServer::set_reply_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(impl_->mutex);
    impl_->reply_delay = delay;
}

void FakeOpenAIServer::set_slow_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(impl_->mutex);
    impl_->slow_delay = delay;
}

void FakeOpenAIServer::set_custom_retry_after(const std::string& header, const std::string& value) {
    std::lock_guard lock(impl_->mutex);
    impl_->retry_header = header;
    impl_->retry_value = value;
}

std::vector<std::string> FakeOpenAIServer::received_texts() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->texts;
}

std::string FakeOpenAIServer::last_authorization() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->last_authorization;
}

std::string FakeOpenAIServer::last_body() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->last_body;
}

std::vector<std::chrono::steady_clock::time_point> FakeOpenAIServer::arrival_times(const std::string& text) const {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->arrivals.find(text);
    return it == impl_->arrivals.end() ? std::vector<std::chrono::steady_clock::time_point>{} : it->second;
}

void FakeOpenAIServer::reset_counts() {
    std::lock_guard lock(impl_->mutex);
    impl_->attempts.clear();
    impl_->texts.clear();
    impl_->arrivals.clear();
    requests_ = 0;
    good_replies_ = 0;
    max_concurrent_ = 0;
}

}  // namespace remask::testing
