#pragma once
// Candidates and the pool the loop selects parents from. Each pool member carries its
// score on every validation example, so selection can be Pareto over examples (GEPA).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "optimize/span_diff.h"

namespace remask::optimize {

struct Candidate {
    std::string id;      // "c0" = the initial prompt; "c<iteration>_<k>" = child k
    std::string parent;  // "" for the initial prompt
    int64_t iteration = 0;
    std::string proposer;
    std::string prompt;  // stored form, <keep> markers included
    std::vector<EditSpan> edits;
    std::vector<std::string> minibatch;
    std::optional<double> parent_minibatch_score;
    std::optional<double> minibatch_score;
    std::map<std::string, double> val_scores;  // example id -> score
    std::optional<double> val;                 // mean of val_scores
    bool accepted = false;                     // in the pool
    std::string decision;      // "initial", "accepted", "picked", "worse", "vetoed", ...
    int64_t target_calls = 0;  // target calls spent when it was decided
};

nlohmann::json to_json(const Candidate& c);
Candidate candidate_from_json(const nlohmann::json& j);

double mean_score(const std::map<std::string, double>& scores);

class CandidatePool {
  public:
    void add(Candidate c) { members_.push_back(std::move(c)); }
    const std::vector<Candidate>& members() const { return members_; }
    bool empty() const { return members_.empty(); }
    bool contains_prompt(const std::string& prompt) const;

    // Highest validation mean; ties go to the earliest member (so the initial prompt wins
    // ties and the result is never worse than it).
    const Candidate& best() const;

    // "best": best(). "pareto": among members that reach the top score on at least one
    // validation example, one drawn with weight = the number of such examples.
    const Candidate& select(const std::string& selection, std::mt19937_64& rng) const;

  private:
    std::vector<Candidate> members_;
};

}  // namespace remask::optimize
