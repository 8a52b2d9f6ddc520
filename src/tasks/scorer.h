#pragma once
// Scorers for `metric = "webhook"` and `"exec"`: the user's own check grades each answer.
// Request and reply are promptfoo's webhook assertion (INTERFACES.md):
//   request {"output": reply, "context": {"prompt": system prompt, "vars": {"input" or
//            "messages", "expected" (when the line has one), "id", any extra field}}}
//   reply   {"pass": bool, "score": 0..1 (optional; default 1 if pass else 0), "reason"?}
// `reason` becomes the trace's feedback.
//
//   auto scorer = make_scorer("webhook", settings.scorer, {.cache_path = settings.run.cache});
//   Scored s = scorer->score(system_prompt, example, reply);
//
// Scores are cached (unless [scorer] cache = false) in the call cache file, keyed by the
// SHA-256 of the scorer's identity (the URL; for exec the argv plus the content hash of
// every argument that is a file) and the request: a changed scorer script is a new key.
// Each kind retries a failed request [scorer] max_retries times, then throws ExternalError
// naming the example; nothing the scorer said is ever made up. Thread-safe.

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tasks/scorer_settings.h"
#include "tasks/task.h"

namespace remask {

class CallCache;

struct ScorerVerdict {
    bool pass = false;
    double score = 0.0;  // in [0, 1]
    std::string reason;
};

nlohmann::json scorer_request(const std::string& system_prompt, const Example& example,
                              const std::string& reply);

// A reply body → verdict; nullopt with *why set when it has no usable "pass" or "score"
// (not JSON, not an object, pass not a boolean, score not a number in [0, 1]).
std::optional<ScorerVerdict> parse_scorer_reply(const std::string& body, std::string* why);

struct ScorerOptions {
    std::string cache_path;       // "" = default_cache_path() ($REMASK_CACHE, ~/.cache/remask)
    bool use_cache = true;        // false also when [scorer] cache = false
    double backoff_base_s = 0.2;  // first retry waits about this long (doubling, capped at 5 s)
};

class Scorer {
  public:
    Scorer(ScorerSettings settings, ScorerOptions options);
    virtual ~Scorer();

    // Scores one reply (from the cache when it holds this request). Throws ExternalError
    // "scorer <identity>: example <id>: ..." when every attempt failed.
    Scored score(const std::string& system_prompt, const Example& example,
                 const std::string& reply);

    int64_t calls() const {
        return calls_.load();
    }  // scorer requests answered (cache hits excluded)
    int64_t cache_hits() const { return cache_hits_.load(); }
    virtual std::string describe() const = 0;  // "webhook http://..." / "exec python3 score.py"

  protected:
    // The verdict for one request, retrying as the kind does; throws ExternalError.
    virtual ScorerVerdict ask(const nlohmann::json& request, const std::string& example_id) = 0;
    // What makes two scorers give the same scores (cache key part).
    virtual std::string identity() const = 0;
    // Sleeps before retry `attempt` (0-based): doubling from backoff_base_s, capped at 5 s.
    void back_off(int attempt) const;

    ScorerSettings settings_;
    ScorerOptions options_;

  private:
    std::shared_ptr<CallCache> cache_;
    std::atomic<int64_t> calls_{0};
    std::atomic<int64_t> cache_hits_{0};
};

// metric "webhook" or "exec" → its scorer; nullptr for any other metric.
std::shared_ptr<Scorer> make_scorer(const std::string& metric, const ScorerSettings& settings,
                                    ScorerOptions options);

}  // namespace remask
