#include "tasks/evaluator.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "core/progress.h"

namespace remask {

Evaluator::Evaluator(const Task& task, LanguageModel& target, EvalOptions options)
    : task_(task), target_(target), options_(std::move(options)) {}

EvalResult Evaluator::run(const std::string& system_prompt,
                          const std::vector<Example>& examples) const {
    EvalResult result;
    result.rows.resize(examples.size());
    std::vector<Attempt> attempts(examples.size());

    std::unique_ptr<Progress> progress;
    if (!options_.progress_label.empty())
        progress = std::make_unique<Progress>(options_.progress_label, examples.size());

    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;  // guards first_error, score_sum, done
    std::exception_ptr first_error;
    double score_sum = 0.0;
    size_t done = 0;

    auto work = [&] {
        while (!stop.load()) {
            const size_t i = next.fetch_add(1);
            if (i >= examples.size()) return;
            try {
                attempts[i] = task_.attempt(system_prompt, examples[i], target_);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!first_error) first_error = std::current_exception();
                stop.store(true);
                return;
            }
            if (progress) {
                std::string note;
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    score_sum += attempts[i].scored.score;
                    ++done;
                    char buffer[32];
                    std::snprintf(buffer, sizeof buffer, "mean %.3f", score_sum / static_cast<double>(done));
                    note = buffer;
                }
                progress->advance(1, note);
            }
        }
    };
    const size_t workers = std::max<size_t>(1, std::min(options_.concurrency, examples.size()));
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
    if (progress) progress->finish();
    if (first_error) std::rethrow_exception(first_error);

    for (size_t i = 0; i < examples.size(); ++i) {
        const Example& e = examples[i];
        const Attempt& a = attempts[i];
        EvalRow& row = result.rows[i];
        row.id = e.id;
        row.input = e.input;
        row.expected = e.expected;
        row.reply = a.reply;
        row.parsed = a.scored.parsed;
        row.parse_failed = a.scored.parse_failed;
        row.score = a.scored.score;
        row.feedback = a.scored.feedback;
        row.tokens_in = a.usage_all.prompt_tokens;
        row.tokens_out = a.usage_all.completion_tokens;
        row.cached = a.target_calls == 0 && a.cached_calls > 0;

        EvalCost& c = result.cost;
        c.target_calls += a.target_calls;
        c.cached_calls += a.cached_calls;
        c.target_usage.prompt_tokens += a.usage.prompt_tokens;
        c.target_usage.completion_tokens += a.usage.completion_tokens;
        c.judge_calls += a.scored.judge_calls;
        c.judge_usage.prompt_tokens += a.scored.judge_usage.prompt_tokens;
        c.judge_usage.completion_tokens += a.scored.judge_usage.completion_tokens;
    }
    return result;
}

}  // namespace remask
