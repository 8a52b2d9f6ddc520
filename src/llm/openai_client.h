#pragma once
// The `openai` provider: POST {base_url}/chat/completions on any OpenAI-compatible server
// (OpenAI, vLLM, SGLang, llama.cpp server, Ollama, Anthropic's compatibility endpoint,
// remask serve). See docs/targets.md.
//
//   EndpointSettings target;  target.base_url = "http://127.0.0.1:8080/v1";
//   OpenAIClient client(target, ClientOptions{});
//   ChatResponse r = client.chat({.messages = {{"user", "Hello"}}});
//   auto outcomes = client.chat_batch(requests);  // max_in_flight at once, results in order
//
// One chat(): cache lookup (a hit costs nothing and is not counted) → budget check →
// attempts, each waiting for the rpm/tpm limits and a place among max_in_flight → the answer
// is committed to the cache → counted → returned. Failed attempts are retried with backoff
// (llm/retry_policy.h); a 4xx that cannot succeed throws ExternalError at once, naming the
// status and the server's message; after max_retries retries ExternalError names the last
// problem. The API key is read from $api_key_env for each request and never kept, logged or
// cached. Thread-safe.

#include <memory>
#include <random>
#include <semaphore>
#include <string>
#include <vector>

#include "core/settings.h"
#include "llm/accounting.h"
#include "llm/call_cache.h"
#include "llm/factory.h"
#include "llm/http_client.h"
#include "llm/language_model.h"
#include "llm/rate_limiter.h"

namespace remask {

class OpenAIClient : public LanguageModel {
public:
    OpenAIClient(EndpointSettings settings, ClientOptions options);

    ChatResponse chat(const ChatRequest& request) override;
    std::vector<ChatOutcome> chat_batch(const std::vector<ChatRequest>& requests) override;
    std::string describe() const override;

    const EndpointSettings& settings() const { return settings_; }
    Accounting& accounting() { return *accounting_; }
    // Null when the cache is bypassed.
    CallCache* cache() { return cache_.get(); }
    // The key a request is cached under (for tests and tools).
    std::string key_of(const ChatRequest& request) const;

private:
    std::vector<std::string> request_headers() const;

    EndpointSettings settings_;
    ClientOptions options_;
    std::string url_;
    Price price_;
    std::shared_ptr<Accounting> accounting_;
    std::shared_ptr<CallCache> cache_;
    HttpClient http_;
    std::counting_semaphore<> in_flight_;
    RateLimiter requests_per_minute_;
    RateLimiter tokens_per_minute_;
};

// GET {base_url}/models: the ids it lists, in order; empty when the call fails.
std::vector<std::string> list_models(const std::string& base_url, const std::string& api_key_env,
                                     double timeout_s);

// "https://x/v1/" → "https://x/v1": joins with "/chat/completions" without doubling '/'.
std::string trim_base_url(const std::string& base_url);

}  // namespace remask
