#pragma once
// The caps of [budget] against what a run has spent. 0 = no cap. Target (and simulated-user) calls are checked
// before work starts (with the evaluator's upper bound), so that cap is never crossed; the
// others are checked after each step (work in flight may finish, as INTERFACES.md says).

#include <nlohmann/json.hpp>
#include <string>

#include "core/settings.h"
#include "optimize/trace.h"

namespace remask::optimize {

class Budget {
  public:
    explicit Budget(BudgetSettings caps) : caps_(caps) {}

    // "" while every cap has room, else the name of the first one reached
    // ("target_calls", "user_calls", "dlm_forwards", "tokens", "usd", "wall_s").
    std::string exhausted(const Spend& spent, double wall_s) const;
    // Whether `more` target calls fit under the cap.
    bool allows_target_calls(const Spend& spent, int64_t more) const;
    // The same for simulated-user calls (tau-*), checked the same way before each evaluation.
    bool allows_user_calls(const Spend& spent, int64_t more) const;

    const BudgetSettings& caps() const { return caps_; }

  private:
    BudgetSettings caps_;
};

nlohmann::json to_json(const Spend& s);
Spend spend_from_json(const nlohmann::json& j);

}  // namespace remask::optimize
