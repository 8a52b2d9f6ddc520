#pragma once
// `metric = "webhook"`: one POST per scored answer to [scorer] url, promptfoo's webhook
// assertion shape (scorer.h). At most max_in_flight requests at once. Retried, up to
// max_retries times: no answer (refused, reset, past timeout_s), HTTP 408, 429 or 5xx, a
// 2xx whose body has no usable "pass" or "score". Any other status (400, 401, 404) fails at
// once: the same request would fail again.

#include <condition_variable>
#include <mutex>

#include "llm/http_client.h"
#include "tasks/scorer.h"

namespace remask {

class WebhookScorer : public Scorer {
  public:
    // Throws InputError when api_key_env names a variable that is not set.
    WebhookScorer(ScorerSettings settings, ScorerOptions options);

    std::string describe() const override { return "webhook " + settings_.url; }

  protected:
    ScorerVerdict ask(const nlohmann::json& request, const std::string& example_id) override;
    std::string identity() const override { return "webhook " + settings_.url; }

  private:
    HttpClient http_;
    std::vector<std::string> headers_;
    std::mutex mutex_;
    std::condition_variable slot_free_;
    int64_t in_flight_ = 0;
};

}  // namespace remask
