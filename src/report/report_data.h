#pragma once
// What the report reads from a run directory (internal to src/report/).

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "optimize/candidate_pool.h"

namespace remask::report {

struct CurvePoint {
    int64_t target_calls = 0;
    double val = 0;
};

struct RunData {
    std::string name;  // the sweep value ("steps=16") or the proposer
    std::string dir;
    nlohmann::json summary;                       // null while the run has not finished
    std::vector<optimize::Candidate> candidates;  // every line of candidates.jsonl
    std::vector<CurvePoint> curve;                // best validation score so far, by calls
    std::string stop_reason;                      // "" while running
    int64_t iterations = 0;
    int64_t target_calls = 0;  // the latest known total
    std::string dlm_setup;     // "kv_cache dual, kv_refresh 8, compute auto"; "" = no DLM proposer

    const optimize::Candidate* find(const std::string& id) const;
    const optimize::Candidate* best() const;  // the pooled candidate with the top val
};

RunData load_run(const std::string& dir, const std::string& name);

// A sweep's sub-runs that have not finished (no summary.json), in sweep.json order, each as
// "name (not started)" or "name (not finished)"; empty for a plain run directory.
std::vector<std::string> unfinished_runs(const std::string& dir);

// A sweep folder's runs, in sweep.json order; one run for a plain run directory.
std::vector<RunData> load_runs(const std::string& dir, bool& is_sweep);

}  // namespace remask::report
