#pragma once
// What the review page shows of a run directory, read from its files on each request
// (events.jsonl, candidates.jsonl, checkpoint.json, config.toml, feedback.jsonl), so a
// finished run and a live one (its loop appending in another thread or process) read the
// same way. A torn last line of a file being appended is skipped, as --resume does.
//
//   RunReader run("runs/sst2-…");
//   nlohmann::json overview = run.overview();          // GET /api/run
//   nlohmann::json list = run.candidates();            // GET /api/candidates
//   std::optional<nlohmann::json> ex = run.examples("c2_1");   // nullopt: no such candidate
//
// Test-split traces are never shown: the held-out score stays out of people's reach.

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace remask::review {

class RunReader {
  public:
    // Throws UsageError when `dir` is not a run directory (no config.toml).
    explicit RunReader(std::string dir);

    const std::string& dir() const { return dir_; }
    std::string feedback_path() const { return dir_ + "/feedback.jsonl"; }

    // {"run_dir", "task", "proposer", "review", "finished", "stop_reason", "iterations",
    //  "best": {"candidate", "val"}, "initial": {"val"}, "budget": {KIND: {"used", "cap"}},
    //  "series": [{"target_calls", "val", "candidate"}], "feedback": {"lines", "taken"}}
    nlohmann::json overview() const;
    // candidates.jsonl lines with "edits" (before/after) and "feedback_taken": the entries
    // read at the start of the candidate's iteration, which shaped its proposal.
    nlohmann::json candidates() const;
    // {"candidate", "examples": [{"id", "phase", "input", "expected", "reply", "score",
    //  "feedback", "reviews": [feedback.jsonl entries for this example]}]}
    std::optional<nlohmann::json> examples(const std::string& candidate_id) const;
    // Ids of every example traced outside the test split (what feedback may name).
    std::set<std::string> example_ids() const;
    bool has_candidate(const std::string& candidate_id) const;

  private:
    std::string dir_;
};

}  // namespace remask::review
