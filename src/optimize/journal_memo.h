#pragma once
// What a run already did, read back from events.jsonl, so a resumed run repeats no
// completed evaluation, proposal or review: it looks them up here first. Also the running
// totals (spend, wall time) the journal proves were spent.

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "optimize/proposer.h"
#include "optimize/review.h"
#include "optimize/trace.h"

namespace remask::optimize {

// Hex FNV-1a of the rendered prompt: the key of its evaluations.
std::string prompt_key(const std::string& rendered_prompt);
// The key of a proposal: same iteration, parent and proposer.
std::string proposal_key(int64_t iteration, const std::string& parent_prompt,
                         const std::string& proposer);

nlohmann::json to_json(const Trace& t);
Trace trace_from_json(const nlohmann::json& j);

class JournalMemo {
  public:
    // Reads eval / proposal / review events; others are skipped.
    void load(const std::vector<nlohmann::json>& events);

    const Trace* trace(const std::string& prompt_key, const std::string& example_id) const;
    void put(const std::string& prompt_key, const Trace& t);

    const ProposalBatch* proposal(const std::string& key) const;
    void put_proposal(const std::string& key, ProposalBatch batch);

    const ReviewDecision* review(int64_t iteration) const;
    void put_review(int64_t iteration, ReviewDecision d);

    Spend spent;        // sum of every journaled step
    double wall_s = 0;  // the latest "t" in the journal

  private:
    std::map<std::pair<std::string, std::string>, Trace> traces_;
    std::map<std::string, ProposalBatch> proposals_;
    std::map<int64_t, ReviewDecision> reviews_;
};

}  // namespace remask::optimize
