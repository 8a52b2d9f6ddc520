#include "tasks/tau/runner.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "core/error.h"
#include "core/log.h"
#include "tasks/tau/episode_log.h"
#include "llm/sha256.h"

namespace remask::tau {
namespace {

void add_use(ModelUse& total, const ModelUse& use) {
    total.calls += use.calls;
    total.cached += use.cached;
    total.usage.prompt_tokens += use.usage.prompt_tokens;
    total.usage.completion_tokens += use.usage.completion_tokens;
    total.billed.prompt_tokens += use.billed.prompt_tokens;
    total.billed.completion_tokens += use.billed.completion_tokens;
}

}  // namespace

TauRunResult run_tau_episodes(const TauDomain& domain, const TauRunOptions& options, LanguageModel* agent,
                              LanguageModel* user) {
    if (!options.oracle && (!agent || !user)) {
        throw UsageError("tau", "an LLM agent needs both a target model and a user model");
    }
    if (options.trials < 1) throw UsageError("--trials", "must be at least 1");
    const std::string prompt_hash = sha256_hex(options.system_prompt).substr(0, 16);

    TauRunResult result;
    std::map<EpisodeKey, EpisodeResult> finished;
    if (!options.transcripts_path.empty()) {
        finished = load_finished_episodes(options.transcripts_path, domain.name, prompt_hash);
    }
    struct Job {
        const TauTask* task;
        int trial;
    };
    std::vector<Job> jobs;
    std::vector<EpisodeResult> done;
    for (const auto& task : options.tasks) {
        for (int trial = 0; trial < options.trials; ++trial) {
            auto it = finished.find({task.id, trial});
            if (it != finished.end()) {
                done.push_back(it->second);
                ++result.resumed;
            } else {
                jobs.push_back({&task, trial});
            }
        }
    }

    EpisodeLog log(options.transcripts_path);
    std::mutex mutex;
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    auto worker = [&] {
        // Each worker owns its databases; reset() between episodes is cheaper than a copy.
        TauEnvironment env(domain), scratch(domain);
        while (!stop) {
            size_t index = next++;
            if (index >= jobs.size()) return;
            const Job& job = jobs[index];
            EpisodeOptions episode_options = options.episode;
            episode_options.trial = job.trial;
            try {
                EpisodeResult episode =
                    options.oracle
                        ? run_oracle_episode(*job.task, options.system_prompt, episode_options, env, scratch)
                        : run_episode(*job.task, options.system_prompt, *agent, *user, episode_options, env, scratch);
                log.append(episode, *job.task);
                if (options.on_episode) options.on_episode(episode);
                std::lock_guard<std::mutex> lock(mutex);
                done.push_back(std::move(episode));
            } catch (const BudgetExhausted& error) {
                stop = true;  // no new episodes; the ones in flight finish or fail alone
                std::lock_guard<std::mutex> lock(mutex);
                result.failures.push_back({job.task->index, job.trial, error.what()});
            } catch (const std::exception& error) {
                log_warn("tau: task ", job.task->index, " trial ", job.trial, " failed: ", error.what());
                std::lock_guard<std::mutex> lock(mutex);
                result.failures.push_back({job.task->index, job.trial, error.what()});
            }
        }
    };
    const size_t workers = std::min(jobs.size(), static_cast<size_t>(std::max(1, options.concurrency)));
    std::vector<std::thread> threads;
    for (size_t i = 0; i + 1 < workers; ++i) threads.emplace_back(worker);
    if (workers > 0) worker();
    for (auto& thread : threads) thread.join();

    std::sort(done.begin(), done.end(), [](const EpisodeResult& a, const EpisodeResult& b) {
        return std::make_pair(a.task_index, a.trial) < std::make_pair(b.task_index, b.trial);
    });
    std::map<int, int> successes;
    double reward_sum = 0;
    for (const auto& task : options.tasks) successes[task.index] = 0;
    for (const auto& episode : done) {
        reward_sum += episode.reward;
        if (std::abs(episode.reward - 1.0) <= 1e-6) successes[episode.task_index] += 1;
        add_use(result.agent, episode.agent);
        add_use(result.user, episode.user);
    }
    std::vector<int> per_task;
    for (const auto& [index, count] : successes) per_task.push_back(count);
    result.pass_hat_k = pass_hat_k(per_task, options.trials);
    const size_t planned = options.tasks.size() * static_cast<size_t>(options.trials);
    result.mean_reward = planned ? reward_sum / static_cast<double>(planned) : 0.0;
    result.episodes = std::move(done);
    result.task_count = options.tasks.size();
    result.trials = options.trials;
    return result;
}

}  // namespace remask::tau
