#include "tasks/scorer.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/error.h"
#include "llm/call_cache.h"
#include "llm/sha256.h"
#include "tasks/exec_scorer.h"
#include "tasks/webhook_scorer.h"

namespace remask {

nlohmann::json scorer_request(const std::string& system_prompt, const Example& example,
                              const std::string& reply) {
    nlohmann::json vars = example.extra.is_object() ? example.extra : nlohmann::json::object();
    if (example.messages.is_array()) {
        vars["messages"] = example.messages;
    } else {
        vars["input"] = example.input;
    }
    if (example.has_expected) vars["expected"] = example.expected;
    vars["id"] = example.id;
    return {{"output", reply}, {"context", {{"prompt", system_prompt}, {"vars", vars}}}};
}

std::optional<ScorerVerdict> parse_scorer_reply(const std::string& body, std::string* why) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    std::string snippet = body.substr(0, 80);
    if (doc.is_discarded()) {
        *why = "the reply is not JSON (\"" + snippet + "\")";
        return std::nullopt;
    }
    if (!doc.is_object()) {
        *why = "the reply is not a JSON object (\"" + snippet + "\")";
        return std::nullopt;
    }
    const bool has_pass = doc.contains("pass") && !doc["pass"].is_null();
    const bool has_score = doc.contains("score") && !doc["score"].is_null();
    if (has_pass && !doc["pass"].is_boolean()) {
        *why = "\"pass\" is not true or false";
        return std::nullopt;
    }
    if (has_score && (!doc["score"].is_number() || doc["score"].get<double>() < 0 ||
                      doc["score"].get<double>() > 1)) {
        *why = "\"score\" is not a number from 0 to 1";
        return std::nullopt;
    }
    if (!has_pass && !has_score) {
        *why = "the reply has no \"pass\" (nor \"score\")";
        return std::nullopt;
    }
    ScorerVerdict v;
    v.score = has_score ? doc["score"].get<double>() : (doc["pass"].get<bool>() ? 1.0 : 0.0);
    v.pass = has_pass ? doc["pass"].get<bool>() : v.score >= 0.5;
    if (doc.contains("reason") && doc["reason"].is_string())
        v.reason = doc["reason"].get<std::string>();
    return v;
}

Scorer::Scorer(ScorerSettings settings, ScorerOptions options)
    : settings_(std::move(settings)), options_(std::move(options)) {
    if (options_.use_cache && settings_.cache)
        cache_ = CallCache::open_shared(options_.cache_path.empty() ? default_cache_path()
                                                                    : options_.cache_path);
}

Scorer::~Scorer() = default;

void Scorer::back_off(int attempt) const {
    double wait = options_.backoff_base_s;
    for (int i = 0; i < attempt && wait < 5.0; ++i) wait *= 2;
    std::this_thread::sleep_for(std::chrono::duration<double>(std::min(wait, 5.0)));
}

Scored Scorer::score(const std::string& system_prompt, const Example& example,
                     const std::string& reply) {
    const nlohmann::json request = scorer_request(system_prompt, example, reply);
    std::optional<ScorerVerdict> verdict;
    std::string key;
    if (cache_) {
        key = sha256_hex("remask-scorer-v1\n" + identity() + "\n" + request.dump());
        if (auto hit = cache_->find(key)) {
            std::string why;
            verdict = parse_scorer_reply(hit->message.content, &why);
            if (verdict) cache_hits_ += 1;
        }
    }
    if (!verdict) {
        verdict = ask(request, example.id);
        calls_ += 1;
        if (cache_) {
            ChatResponse stored;
            stored.message.role = "scorer";
            stored.message.content = nlohmann::json{
                {"pass", verdict->pass},
                {"score", verdict->score},
                {"reason",
                 verdict->reason}}.dump();
            cache_->store(key, "scorer", stored);
        }
    }
    Scored s;
    s.score = verdict->score;
    char number[32];
    std::snprintf(number, sizeof number, "%.2f", verdict->score);
    s.parsed = verdict->pass ? "pass" : "fail";
    s.feedback = verdict->reason.empty()
                     ? std::string("Scorer: ") + (verdict->pass ? "pass" : "fail") + ", score " +
                           number + "."
                     : verdict->reason;
    return s;
}

std::shared_ptr<Scorer> make_scorer(const std::string& metric, const ScorerSettings& settings,
                                    ScorerOptions options) {
    if (metric == "webhook") {
        require_scorer_for_metric(metric, settings, "config");
        return std::make_shared<WebhookScorer>(settings, std::move(options));
    }
    if (metric == "exec") {
        require_scorer_for_metric(metric, settings, "config");
        return std::make_shared<ExecScorer>(settings, std::move(options));
    }
    return nullptr;
}

}  // namespace remask
