#include "optimize/journal_memo.h"

#include <cstdio>

#include "optimize/budget.h"
#include "optimize/rng.h"

namespace remask::optimize {

std::string prompt_key(const std::string& rendered_prompt) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx",
                  static_cast<unsigned long long>(fnv1a64(rendered_prompt)));
    return buf;
}

std::string proposal_key(int64_t iteration, const std::string& parent_prompt,
                         const std::string& proposer) {
    return std::to_string(iteration) + ":" + proposer + ":" + prompt_key(parent_prompt);
}

nlohmann::json to_json(const Trace& t) {
    nlohmann::json j = {{"id", t.example_id}, {"input", t.input}, {"expected", t.expected},
                        {"reply", t.reply},   {"score", t.score}, {"feedback", t.feedback}};
    if (!t.trial_scores.empty()) j["trials"] = t.trial_scores;
    return j;
}

Trace trace_from_json(const nlohmann::json& j) {
    Trace t;
    t.example_id = j.value("id", std::string());
    t.input = j.value("input", std::string());
    t.expected = j.value("expected", std::string());
    t.reply = j.value("reply", std::string());
    t.score = j.value("score", 0.0);
    t.feedback = j.value("feedback", std::string());
    if (j.contains("trials") && j["trials"].is_array())
        for (const auto& v : j["trials"])
            if (v.is_number()) t.trial_scores.push_back(v.get<double>());
    return t;
}

void JournalMemo::load(const std::vector<nlohmann::json>& events) {
    for (const nlohmann::json& e : events) {
        std::string kind = e.value("event", std::string());
        if (e.contains("t") && e["t"].is_number()) wall_s = std::max(wall_s, e["t"].get<double>());
        if (e.contains("spend")) spent += spend_from_json(e["spend"]);
        if (kind == "eval") {
            std::string key = e.value("prompt_hash", std::string());
            for (const auto& t : e.value("traces", nlohmann::json::array()))
                put(key, trace_from_json(t));
        } else if (kind == "proposal") {
            ProposalBatch batch;
            for (const auto& c : e.value("children", nlohmann::json::array()))
                batch.proposals.push_back(
                    {c.value("prompt", std::string()),
                     edits_from_json(c.value("spans", nlohmann::json::array()))});
            batch.detail = e.value("detail", nlohmann::json::object());
            proposals_[e.value("key", std::string())] = std::move(batch);
        } else if (kind == "review") {
            reviews_[e.value("iteration", int64_t{0})] =
                review_from_json(e.value("decision", nlohmann::json::object()));
        }
    }
}

const Trace* JournalMemo::trace(const std::string& key, const std::string& id) const {
    auto it = traces_.find({key, id});
    return it == traces_.end() ? nullptr : &it->second;
}

void JournalMemo::put(const std::string& key, const Trace& t) { traces_[{key, t.example_id}] = t; }

const ProposalBatch* JournalMemo::proposal(const std::string& key) const {
    auto it = proposals_.find(key);
    return it == proposals_.end() ? nullptr : &it->second;
}

void JournalMemo::put_proposal(const std::string& key, ProposalBatch batch) {
    proposals_[key] = std::move(batch);
}

const ReviewDecision* JournalMemo::review(int64_t iteration) const {
    auto it = reviews_.find(iteration);
    return it == reviews_.end() ? nullptr : &it->second;
}

void JournalMemo::put_review(int64_t iteration, ReviewDecision d) {
    reviews_[iteration] = std::move(d);
}

}  // namespace remask::optimize
