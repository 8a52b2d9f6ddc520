#include "optimize/budget.h"

#include <nlohmann/json.hpp>

namespace remask::optimize {

std::string Budget::exhausted(const Spend& s, double wall_s) const {
    if (caps_.target_calls > 0 && s.target_calls >= caps_.target_calls) return "target_calls";
    if (caps_.user_calls > 0 && s.user_calls >= caps_.user_calls) return "user_calls";
    if (caps_.dlm_forwards > 0 && s.dlm_forwards >= caps_.dlm_forwards) return "dlm_forwards";
    if (caps_.tokens > 0 && s.tokens >= caps_.tokens) return "tokens";
    if (caps_.usd > 0 && s.usd >= caps_.usd) return "usd";
    if (caps_.wall_s > 0 && wall_s >= caps_.wall_s) return "wall_s";
    return "";
}

bool Budget::allows_target_calls(const Spend& s, int64_t more) const {
    return caps_.target_calls <= 0 || s.target_calls + more <= caps_.target_calls;
}

bool Budget::allows_user_calls(const Spend& s, int64_t more) const {
    return caps_.user_calls <= 0 || s.user_calls + more <= caps_.user_calls;
}

nlohmann::json to_json(const Spend& s) {
    return {{"target", s.target_calls},
            {"user", s.user_calls},
            {"rewriter", s.rewriter_calls},
            {"judge", s.judge_calls},
            {"scorer", s.scorer_calls},
            {"dlm_forwards", s.dlm_forwards},
            {"tokens", s.tokens},
            {"usd", s.usd}};
}

Spend spend_from_json(const nlohmann::json& j) {
    Spend s;
    if (!j.is_object()) return s;
    s.target_calls = j.value("target", int64_t{0});
    s.user_calls = j.value("user", int64_t{0});
    s.rewriter_calls = j.value("rewriter", int64_t{0});
    s.judge_calls = j.value("judge", int64_t{0});
    s.scorer_calls = j.value("scorer", int64_t{0});
    s.dlm_forwards = j.value("dlm_forwards", int64_t{0});
    s.tokens = j.value("tokens", int64_t{0});
    s.usd = j.value("usd", 0.0);
    return s;
}

}  // namespace remask::optimize
