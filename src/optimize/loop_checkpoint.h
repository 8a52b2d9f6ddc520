#pragma once
// What `--resume` reads back: checkpoint.json's loop state and the journal's memo, with
// every missing or mistyped field an InputError naming the file (never a crash or an
// "internal" error), so a damaged run directory is one clear line.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "optimize/candidate_pool.h"
#include "optimize/journal_memo.h"

namespace remask::optimize {

struct LoopCheckpoint {
    std::vector<Candidate> pool;
    int64_t next_iteration = 1;
    int64_t since_improvement = 0;
    int64_t idle_iterations = 0;
    std::set<std::string> seen_prompts;
    std::string notes;
    std::map<std::string, std::string> comments;
    int64_t feedback_lines = 0;  // feedback.jsonl lines already taken by the loop
    nlohmann::json feedback_entries = nlohmann::json::array();
};

// `path` names checkpoint.json in errors. An empty pool is an InputError.
LoopCheckpoint parse_loop_checkpoint(const nlohmann::json& checkpoint, const std::string& path);

// JournalMemo::load with mistyped fields reported as InputError naming `path`.
void load_journal(JournalMemo& memo, const std::vector<nlohmann::json>& events,
                  const std::string& path);

}  // namespace remask::optimize
