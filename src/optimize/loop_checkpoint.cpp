#include "optimize/loop_checkpoint.h"

#include "core/error.h"
#include "core/json_limits.h"

namespace remask::optimize {

LoopCheckpoint parse_loop_checkpoint(const nlohmann::json& cp, const std::string& path) {
    LoopCheckpoint out;
    try {
        if (!cp.is_object()) throw InputError(path, "not a JSON object");
        if (!cp.contains("pool") || !cp["pool"].is_array())
            throw InputError(path, "\"pool\" is missing or not an array");
        for (const auto& c : cp["pool"]) {
            out.pool.push_back(candidate_from_json(c));
            // Pool members were validated: the loop reads their val unchecked.
            if (!out.pool.back().val) throw InputError(path, "a pool candidate has no \"val\"");
        }
        out.next_iteration = cp.value("next_iteration", int64_t{1});
        out.since_improvement = cp.value("since_improvement", int64_t{0});
        out.idle_iterations = cp.value("idle_iterations", int64_t{0});
        out.seen_prompts = cp.value("seen_prompts", std::set<std::string>{});
        out.notes = cp.value("notes", std::string());
        out.comments = cp.value("comments", std::map<std::string, std::string>{});
        out.feedback_lines = cp.value("feedback_lines", int64_t{0});
        out.feedback_entries = cp.value("feedback_entries", nlohmann::json::array());
        if (!out.feedback_entries.is_array())
            throw InputError(path, "\"feedback_entries\" is not an array");
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, std::string("unexpected content: ") + e.what());
    }
    if (out.pool.empty()) throw InputError(path, "holds no candidates");
    if (out.feedback_lines < 0) throw InputError(path, "feedback_lines must not be negative");
    if (out.next_iteration < 1) throw InputError(path, "next_iteration must be at least 1");
    return out;
}

void load_journal(JournalMemo& memo, const std::vector<nlohmann::json>& events,
                  const std::string& path) {
    try {
        memo.load(events);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, std::string("unexpected content: ") + e.what());
    }
}

}  // namespace remask::optimize
