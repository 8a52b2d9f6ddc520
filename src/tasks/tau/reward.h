#pragma once
// Upstream's reward, pass^k, and feedback for the optimizer.
//
// reward = 1 when (a) the episode's final database equals the database produced by
// replaying the task's ground-truth actions (all but transfer_to_human_agents) on a fresh
// copy, compared as upstream's data hash compares them, and (b) every required output
// string, lower-cased, appears in some agent message lower-cased with commas removed.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tasks/tau/environment.h"

namespace remask::tau {

struct RewardResult {
    double reward = 0;
    bool database_ok = false;
    std::vector<std::pair<std::string, bool>> outputs;  // each required output: said or not
    Json expected_changes;  // the ground truth's changed records (environment changes())
    Json actual_changes;    // the episode's
};

// The changes the ground-truth actions make, replayed on `scratch` (which is reset before
// and after). Cached per task (by domain instance and the actions' JSON), so each task is replayed
// once per process. Thread-safe.
Json ground_truth_changes(const TauTask& task, TauEnvironment& scratch);

// Reward of an episode that ended with `env` in its final state; agent_messages: the
// contents of the agent's messages to the user (upstream's "respond" actions).
RewardResult compute_reward(const TauTask& task, const TauEnvironment& env,
                            const std::vector<std::string>& agent_messages, TauEnvironment& scratch);

// upstream: output.lower() in message.lower().replace(",", "") (ASCII lower-casing).
bool output_was_said(const std::string& output, const std::vector<std::string>& agent_messages);

// pass^k for k = 1..trials: mean over tasks of C(c, k) / C(trials, k), c = successes of the
// task (reward within 1e-6 of 1), as upstream's display_metrics.
std::vector<double> pass_hat_k(const std::vector<int>& successes_per_task, int trials);

// What went wrong, for the optimizer: ground-truth actions missed or called with other
// arguments, state-changing calls the ground truth does not have, outputs not said, and
// how the episode ended. Empty when the reward is 1 and nothing extra happened.
std::string episode_feedback(const TauTask& task, const std::vector<TauAction>& episode_actions,
                             const RewardResult& reward, const std::string& end_reason);

// Tools that only read (get_*, find_*, list_*, search_*, calculate, think).
bool is_read_only_tool(const std::string& name);

}  // namespace remask::tau
