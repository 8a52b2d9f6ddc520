#include "optimize/candidate_pool.h"

#include <algorithm>
#include <stdexcept>

#include "optimize/rng.h"

namespace remask::optimize {

namespace {

nlohmann::json optional_number(const std::optional<double>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
std::optional<double> read_optional(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || j[key].is_null()) return std::nullopt;
    return j[key].get<double>();
}

}  // namespace

nlohmann::json to_json(const Candidate& c) {
    return {{"id", c.id},
            {"parent", c.parent.empty() ? nlohmann::json(nullptr) : nlohmann::json(c.parent)},
            {"iteration", c.iteration},
            {"proposer", c.proposer},
            {"prompt", c.prompt},
            {"spans", to_json(c.edits)},
            {"minibatch", c.minibatch},
            {"parent_minibatch_score", optional_number(c.parent_minibatch_score)},
            {"minibatch_score", optional_number(c.minibatch_score)},
            {"val_scores", c.val_scores},
            {"val", optional_number(c.val)},
            {"accepted", c.accepted},
            {"decision", c.decision},
            {"target_calls", c.target_calls}};
}

Candidate candidate_from_json(const nlohmann::json& j) {
    Candidate c;
    c.id = j.at("id").get<std::string>();
    c.parent =
        j.contains("parent") && j["parent"].is_string() ? j["parent"].get<std::string>() : "";
    c.iteration = j.value("iteration", int64_t{0});
    c.proposer = j.value("proposer", std::string());
    c.prompt = j.at("prompt").get<std::string>();
    c.edits = edits_from_json(j.value("spans", nlohmann::json::array()));
    c.minibatch = j.value("minibatch", std::vector<std::string>{});
    c.parent_minibatch_score = read_optional(j, "parent_minibatch_score");
    c.minibatch_score = read_optional(j, "minibatch_score");
    if (j.contains("val_scores") && j["val_scores"].is_object())
        c.val_scores = j["val_scores"].get<std::map<std::string, double>>();
    c.val = read_optional(j, "val");
    c.accepted = j.value("accepted", false);
    c.decision = j.value("decision", std::string());
    c.target_calls = j.value("target_calls", int64_t{0});
    return c;
}

double mean_score(const std::map<std::string, double>& scores) {
    if (scores.empty()) return 0.0;
    double sum = 0;
    for (const auto& [id, s] : scores) sum += s;
    return sum / static_cast<double>(scores.size());
}

bool CandidatePool::contains_prompt(const std::string& prompt) const {
    return std::any_of(members_.begin(), members_.end(),
                       [&](const Candidate& c) { return c.prompt == prompt; });
}

const Candidate& CandidatePool::best() const {
    if (members_.empty()) throw std::logic_error("CandidatePool::best on an empty pool");
    const Candidate* best = &members_.front();
    for (const Candidate& c : members_)
        if (c.val.value_or(0) > best->val.value_or(0)) best = &c;
    return *best;
}

const Candidate& CandidatePool::select(const std::string& selection, std::mt19937_64& rng) const {
    if (selection != "pareto" || members_.size() == 1) return best();
    std::map<std::string, double> top;  // example -> best score in the pool
    for (const Candidate& c : members_)
        for (const auto& [id, s] : c.val_scores) top[id] = std::max(top.count(id) ? top[id] : s, s);
    std::vector<size_t> weights(members_.size(), 0);
    size_t total = 0;
    for (size_t i = 0; i < members_.size(); ++i)
        for (const auto& [id, s] : members_[i].val_scores)
            if (s >= top[id]) {
                ++weights[i];
                ++total;
            }
    if (total == 0) return best();
    size_t pick = uniform_index(rng, total);
    for (size_t i = 0; i < members_.size(); ++i) {
        if (pick < weights[i]) return members_[i];
        pick -= weights[i];
    }
    return best();
}

}  // namespace remask::optimize
