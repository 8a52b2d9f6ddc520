#pragma once
// The results of a τ-bench run as `remask eval` prints them: text (per-task lines, pass^k,
// calls, cost) or one JSON document with the INTERFACES.md eval keys (task, split, n,
// mean, ci95, calls, usd) plus pass_hat_k, trials, user_calls, tasks.

#include <string>

#include "tasks/tau/runner.h"

namespace remask::tau {

struct Prices {
    double input_per_mtok = 0;
    double output_per_mtok = 0;
};

struct RunCost {
    Prices target;
    Prices user;
    double usd(const TauRunResult& result) const;
};

Json tau_summary_json(const std::string& task, const std::string& split, int trials, const TauRunResult& result,
                      const RunCost& cost);
std::string tau_summary_text(const std::string& task, const std::string& split, int trials,
                             const TauRunResult& result, const RunCost& cost);

// Mean of rewards (planned episodes, failures as 0) with a normal-approximation 95%
// interval clipped to [0, 1].
std::pair<double, double> reward_ci95(const TauRunResult& result, size_t planned);

}  // namespace remask::tau
