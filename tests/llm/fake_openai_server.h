#pragma once
// An OpenAI-compatible server in the test process (cpp-httplib on 127.0.0.1, a free port)
// that misbehaves on purpose.
//
//   FakeOpenAIServer server;
//   server.set_fault_plan([](const std::string& user_text, int attempt) {
//       return attempt == 0 ? Fault::unavailable_503 : Fault::none;
//   });
//   EndpointSettings target; target.base_url = server.base_url();
//
// A good reply to a request whose last user message is T has content "answer to T", usage
// {prompt_tokens: |T|, completion_tokens: 3}; a user message starting with "call:" gets a
// tool call of the first tool instead. `attempt` counts earlier requests with the same text.
// GET /v1/models lists "fake-model".

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace remask::testing {

enum class Fault {
    none,
    rate_limited_retry_after,     // 429, Retry-After: 0 (seconds form)
    rate_limited_retry_after_ms,  // 429, retry-after-ms: 2 (OpenAI's form)
    rate_limited_date,            // 429, Retry-After: an HTTP date in the past
    rate_limited_bare,            // 429, no header
    rate_limited_custom,          // 429 with the header set by set_custom_retry_after
    internal_error_500,
    unavailable_503,
    slow,                         // a good reply, after slow_delay (longer than the client's timeout)
    dropped,                      // headers promise a body, then the connection closes
    truncated_json,               // a 200 whose JSON body stops halfway
    malformed_json,               // a 200 whose body is not JSON
    wrong_content_type,           // a 200 with an HTML page
    bad_request_400,
    unauthorized_401,
    forbidden_403,
    not_found_404,
};

class FakeOpenAIServer {
public:
    using FaultPlan = std::function<Fault(const std::string& user_text, int attempt)>;

    FakeOpenAIServer();
    ~FakeOpenAIServer();

    std::string base_url() const;  // http://127.0.0.1:PORT/v1
    void set_fault_plan(FaultPlan plan);
    void set_reply_delay(std::chrono::milliseconds delay);  // before every reply
    void set_slow_delay(std::chrono::milliseconds delay);   // for Fault::slow
    void set_custom_retry_after(const std::string& header, const std::string& value);

    int requests() const { return requests_.load(); }       // chat requests received
    int good_replies() const { return good_replies_.load(); }  // full 200 replies written
    // Most chat handlers running at once (deliberately slow ones are not counted: the
    // client has given up on them by design, so they no longer hold a place in flight).
    int max_concurrent() const { return max_concurrent_.load(); }
    std::vector<std::string> received_texts() const;  // last user message of each request
    std::string last_authorization() const;
    std::string last_body() const;
    std::vector<std::chrono::steady_clock::time_point> arrival_times(const std::string& text) const;
    void reset_counts();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::atomic<int> requests_{0};
    std::atomic<int> good_replies_{0};
    std::atomic<int> concurrent_{0};
    std::atomic<int> max_concurrent_{0};
};

}  // namespace remask::testing
