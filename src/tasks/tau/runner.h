#pragma once
// Runs many τ-bench episodes concurrently (tasks × trials), appending each finished one
// to the transcript file and skipping those already there (resume), then reports pass^k.
//
//   TauRunOptions options;
//   options.tasks = domain.split("test");
//   options.trials = 3;
//   options.system_prompt = tau_system_prompt(domain, instructions);
//   options.transcripts_path = "runs/x/tau.jsonl";
//   TauRunResult result = run_tau_episodes(domain, options, &target, &user);
//   result.pass_hat_k[0]   // pass^1
//
// The agent and user models are shared by all workers: LanguageModel::chat must be
// thread-safe (the client layer bounds requests in flight). Target and user-simulator
// calls go through the two models separately, so each is counted and capped on its own.

#include <functional>
#include <string>
#include <vector>

#include "tasks/tau/episode.h"

namespace remask::tau {

struct TauRunOptions {
    std::vector<TauTask> tasks;
    int trials = 1;
    int concurrency = 4;           // episodes in flight
    EpisodeOptions episode;        // trial is set per episode
    std::string system_prompt;     // the agent's
    std::string transcripts_path;  // "" = keep nothing on disk (no resume)
    bool oracle = false;           // ground-truth agent, no models needed
    std::function<void(const EpisodeResult&)> on_episode;  // after each new episode (any thread)
};

struct EpisodeFailure {
    int task_index = 0;
    int trial = 0;
    std::string error;
};

struct TauRunResult {
    std::vector<EpisodeResult> episodes;  // finished ones, by (task index, trial), resumed included
    size_t task_count = 0;                // tasks asked for
    int trials = 1;
    int resumed = 0;                      // of those, read back from the transcript file
    std::vector<EpisodeFailure> failures;  // episodes a model error stopped; not recorded
    std::vector<double> pass_hat_k;        // k = 1..trials; failures count as reward 0
    double mean_reward = 0;                // over tasks × trials, failures as 0
    ModelUse agent;                        // totals over the finished episodes
    ModelUse user;
};

TauRunResult run_tau_episodes(const TauDomain& domain, const TauRunOptions& options, LanguageModel* agent,
                              LanguageModel* user);

}  // namespace remask::tau
