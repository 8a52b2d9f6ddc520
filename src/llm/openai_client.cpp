#include "llm/openai_client.h"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "llm/chat_json.h"

namespace remask {
namespace {

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::mt19937_64& jitter_rng() {
    thread_local std::mt19937_64 rng(std::random_device{}());
    return rng;
}

bool is_json_content_type(const std::string& content_type) {
    // Some servers omit the header; the body is checked anyway.
    return content_type.empty() || content_type.find("json") != std::string::npos;
}

// Why a non-retryable status failed, and what to do about it.
std::string status_hint(long status, const EndpointSettings& settings) {
    const char* key = std::getenv(settings.api_key_env.c_str());
    bool has_key = key && *key;
    switch (status) {
        case 401:
        case 403:
            return has_key ? " (the key comes from $" + settings.api_key_env + ")"
                           : " ($" + settings.api_key_env + " is not set)";
        case 404:
            return " (check the model '" + settings.model + "' and the base URL)";
        default:
            return "";
    }
}

}  // namespace

std::string trim_base_url(const std::string& base_url) {
    std::string url = base_url;
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

OpenAIClient::OpenAIClient(EndpointSettings settings, ClientOptions options)
    : settings_(std::move(settings)),
      options_(std::move(options)),
      url_(trim_base_url(settings_.base_url) + "/chat/completions"),
      price_{settings_.price_input_per_mtok, settings_.price_output_per_mtok},
      accounting_(options_.accounting ? options_.accounting : std::make_shared<Accounting>()),
      in_flight_(std::max<int64_t>(1, settings_.max_in_flight)),
      requests_per_minute_(settings_.rpm),
      tokens_per_minute_(settings_.tpm) {
    if (options_.use_cache)
        cache_ = CallCache::open_shared(options_.cache_path.empty() ? default_cache_path()
                                                                    : options_.cache_path);
}

std::string OpenAIClient::describe() const { return settings_.model + "@" + trim_base_url(settings_.base_url); }

std::string OpenAIClient::key_of(const ChatRequest& request) const {
    return cache_key(trim_base_url(settings_.base_url), chat_request_body(request, settings_),
                     request.sample_index);
}

std::vector<std::string> OpenAIClient::request_headers() const {
    std::vector<std::string> headers = {"Accept: application/json"};
    // Read at each request and dropped after it: the key is never kept in this object.
    const char* key = std::getenv(settings_.api_key_env.c_str());
    if (key && *key) headers.push_back(std::string("Authorization: Bearer ") + key);
    return headers;
}

std::vector<ChatOutcome> OpenAIClient::chat_batch(const std::vector<ChatRequest>& requests) {
    // One thread per place in flight keeps the bound full; the semaphore inside chat()
    // still holds the bound if other threads call chat() too.
    return run_chat_batch(*this, requests, size_t(std::max<int64_t>(1, settings_.max_in_flight)));
}

ChatResponse OpenAIClient::chat(const ChatRequest& request) {
    nlohmann::json body = chat_request_body(request, settings_);
    std::string key = cache_key(trim_base_url(settings_.base_url), body, request.sample_index);
    if (cache_) {
        // Single-flight: on a shared cache another process may be sending this request.
        if (auto hit = cache_->find_or_lease(key)) {
            accounting_->note_cache_hit(options_.kind);
            return *hit;
        }
    }
    CacheLeaseGuard lease(cache_.get(), key);
    CallTicket ticket = accounting_->begin_call(options_.kind);
    std::string body_text = body.dump();
    double token_estimate = double(estimate_tokens(body_text) + body.value("max_tokens", int64_t(0)));
    std::string last_problem;
    int64_t max_retries = std::max<int64_t>(0, settings_.max_retries);

    for (int64_t attempt = 0;; ++attempt) {
        requests_per_minute_.acquire(1);
        tokens_per_minute_.acquire(token_estimate);
        HttpResult result;
        {
            in_flight_.acquire();
            struct Release {
                std::counting_semaphore<>& gate;
                ~Release() { gate.release(); }
            } release{in_flight_};
            result = http_.post(url_, body_text, request_headers(), settings_.timeout_s);
        }

        std::optional<double> retry_after;
        if (!result.transport_ok()) {
            last_problem = "no answer: " + result.transport_error;
        } else if (result.status >= 200 && result.status < 300) {
            if (!is_json_content_type(result.content_type)) {
                last_problem = "HTTP " + std::to_string(result.status) + " with content type '" +
                               result.content_type + "' instead of JSON";
            } else {
                ReplyParse parsed = parse_chat_reply(result.body);
                if (parsed.response) {
                    ChatResponse response = std::move(*parsed.response);
                    if (!parsed.usage_reported) {
                        // Servers that omit usage: a byte-count estimate keeps budgets working.
                        response.usage.prompt_tokens = estimate_tokens(body_text);
                        response.usage.completion_tokens = estimate_tokens(response.message.content);
                    }
                    tokens_per_minute_.adjust(double(response.usage.prompt_tokens +
                                                     response.usage.completion_tokens) - token_estimate);
                    ticket.finish(response.usage, price_);
                    if (cache_) {
                        cache_->store(key, settings_.model, response);
                        lease.stored();
                    }
                    return response;
                }
                last_problem = "unusable reply: " + parsed.problem;
            }
        } else {
            std::string message = server_error_message(result.body);
            if (!http_status_is_retryable(result.status)) {
                accounting_->note_failure(options_.kind);
                throw ExternalError("HTTP " + std::to_string(result.status) + " from " + url_,
                                    message + status_hint(result.status, settings_));
            }
            last_problem = "HTTP " + std::to_string(result.status) + ": " + message;
            if (!result.retry_after_ms.empty()) {
                if (auto ms = parse_retry_after(result.retry_after_ms, 0)) retry_after = *ms / 1000.0;
            }
            if (!retry_after && !result.retry_after.empty())
                retry_after = parse_retry_after(result.retry_after, unix_now());
        }

        if (attempt >= max_retries) break;
        accounting_->note_retry(options_.kind);
        double delay = options_.backoff.delay_s(int(attempt), retry_after, jitter_rng());
        log_info(url_, ": retry ", attempt + 1, "/", max_retries, " in ", delay, " s: ", last_problem);
        std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    }
    accounting_->note_failure(options_.kind);
    throw ExternalError(url_, "gave up after " + std::to_string(max_retries + 1) +
                                  " attempts; last: " + last_problem);
}

std::vector<std::string> list_models(const std::string& base_url, const std::string& api_key_env,
                                     double timeout_s) {
    HttpClient http;
    std::vector<std::string> headers = {"Accept: application/json"};
    const char* key = std::getenv(api_key_env.c_str());
    if (key && *key) headers.push_back(std::string("Authorization: Bearer ") + key);
    HttpResult result = http.get(trim_base_url(base_url) + "/models", headers, timeout_s);
    std::vector<std::string> ids;
    if (!result.transport_ok() || result.status != 200) return ids;
    auto doc = nlohmann::json::parse(result.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
        return ids;
    for (const auto& entry : doc["data"])
        if (entry.is_object() && entry.contains("id") && entry["id"].is_string())
            ids.push_back(entry["id"].get<std::string>());
    return ids;
}

}  // namespace remask
