#include "tasks/webhook_scorer.h"

#include <cstdlib>

#include "core/error.h"
#include "core/log.h"
#include "llm/retry_policy.h"

namespace remask {

WebhookScorer::WebhookScorer(ScorerSettings settings, ScorerOptions options)
    : Scorer(std::move(settings), std::move(options)) {
    headers_.push_back("Content-Type: application/json");
    if (!settings_.api_key_env.empty()) {
        const char* key = std::getenv(settings_.api_key_env.c_str());
        if (key == nullptr || *key == '\0')
            throw InputError("[scorer] api_key_env",
                             "the variable " + settings_.api_key_env + " is not set");
        headers_.push_back(std::string("Authorization: Bearer ") + key);
    }
}

ScorerVerdict WebhookScorer::ask(const nlohmann::json& request, const std::string& example_id) {
    {
        std::unique_lock<std::mutex> lock(mutex_);
        slot_free_.wait(lock, [&] { return in_flight_ < settings_.max_in_flight; });
        ++in_flight_;
    }
    struct Release {
        WebhookScorer* self;
        ~Release() {
            std::lock_guard<std::mutex> lock(self->mutex_);
            --self->in_flight_;
            self->slot_free_.notify_one();
        }
    } release{this};

    const std::string body = request.dump();
    const std::string subject = "scorer " + settings_.url + ": example " + example_id;
    std::string why;
    const int attempts = static_cast<int>(settings_.max_retries) + 1;
    for (int attempt = 0; attempt < attempts; ++attempt) {
        if (attempt > 0) {
            log_warn(subject, ": ", why, "; retrying (", attempt, " of ", settings_.max_retries,
                     ")");
            back_off(attempt - 1);
        }
        const HttpResult result = http_.post(settings_.url, body, headers_, settings_.timeout_s);
        if (!result.transport_ok()) {
            why = "no reply (" + result.transport_error + ")";
            continue;
        }
        if (result.status < 200 || result.status >= 300) {
            why = "HTTP status " + std::to_string(result.status);
            if (!http_status_is_retryable(result.status))
                throw ExternalError(subject, why + " (not retried)");
            continue;
        }
        if (auto verdict = parse_scorer_reply(result.body, &why)) return *verdict;
    }
    throw ExternalError(subject, why + " (after " + std::to_string(attempts) + " attempts)");
}

}  // namespace remask
