#pragma once
// Tasks in DSPy's vocabulary: a Task holds Examples in splits and knows how to score what a
// target model did with one of them (its Metric). The Evaluator (evaluator.h) runs a task.
//
//   auto task = make_task(settings.task, context);             // registry.h
//   const auto& dev = task->split("dev");                      // every dev example
//   auto batch = task->subset("train", 8, /*seed=*/3);         // stratified, deterministic
//   auto& single = dynamic_cast<const SingleTurnTask&>(*task);
//   auto messages = single.messages(system_prompt, batch[0]);  // system + user message
//   Scored s = single.score(batch[0], reply_text);             // s.score in [0, 1]
//
// Two kinds of task share this interface:
//   - SingleTurnTask (sst2, sst5, jsonl): one chat call per example; the system prompt under
//     optimization is the system message and the example's input alone is the user message.
//   - multi-turn tasks (τ-bench) override Task::attempt with a whole episode (tool calls,
//     a simulated user) and return the same Attempt record.
// Callers that only need "run the target on an example and score it" use Task::attempt.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "llm/language_model.h"

namespace remask {

// One example of a split. For classification tasks `expected` is a label name from labels().
struct Example {
    std::string id;        // unique within the task, e.g. "dev-17"
    std::string split;     // train | dev | test
    std::string input;     // what the target sees as the user message
    std::string expected;  // the label, reference answer, number or regex (jsonl metric)
    bool has_expected = true;  // false: a jsonl line without "expected" (webhook / exec metrics)
    // Multi-turn jsonl: the earlier turns (OpenAI format, ending with a user turn); null for a
    // single-turn example. `input` then holds the last user turn.
    nlohmann::json messages;
    nlohmann::json extra = nlohmann::json::object();  // any other fields of the source record
};

// How one reply scored. `parsed` is what the metric read from the reply (a label, a number);
// parse_failed means nothing could be read, which always scores 0.
struct Scored {
    double score = 0.0;  // in [0, 1]
    std::string parsed;
    bool parse_failed = false;
    std::string feedback;  // one sentence for the optimizer: expected X, answered Y, why
    // Calls a metric made itself (an LLM judge); counted apart from target calls.
    int64_t judge_calls = 0;  // calls sent (cache hits excluded)
    Usage judge_usage;        // tokens of judge calls that were sent
};

// Everything that happened when the target met one example.
struct Attempt {
    std::string reply;  // the target's final answer (for episodes: its last message)
    Scored scored;
    int64_t target_calls = 0;  // calls sent (cache hits excluded)
    int64_t cached_calls = 0;  // calls answered from the cache
    Usage usage;               // tokens of calls that were sent
    Usage usage_all;           // tokens of every call, cached or not (what the rows show)
};

class Task {
public:
    virtual ~Task() = default;

    virtual std::string name() const = 0;

    // The examples of "train", "dev" or "test". Throws InputError for another name or a split
    // the dataset leaves empty (naming the data file).
    virtual const std::vector<Example>& split(const std::string& name) const = 0;

    // Label names for classification tasks (metrics, stratification), empty otherwise.
    virtual const std::vector<std::string>& labels() const = 0;
    bool is_classification() const { return !labels().empty(); }

    // Runs the target on one example and scores it. Throws what the model throws.
    virtual Attempt attempt(const std::string& system_prompt, const Example& example,
                            LanguageModel& target) const = 0;

    // A rough number of output tokens a reply takes, for cost estimates made before a run.
    virtual int64_t typical_reply_tokens() const { return 16; }

    // n examples of a split drawn deterministically from seed (n == 0 or n >= size: all of
    // them), stratified by label for classification. See sampling.h for the rule.
    std::vector<Example> subset(const std::string& split_name, size_t n, uint64_t seed) const;
};

// One chat call per example: messages → reply → score.
class SingleTurnTask : public Task {
public:
    // [system: system_prompt, user: example.input]; the system message is left out when
    // the prompt is empty.
    virtual std::vector<ChatMessage> messages(const std::string& system_prompt,
                                              const Example& example) const;

    // Scores a reply to an example. Never throws for a bad reply: an unparseable one is a
    // Scored with parse_failed and score 0. (A judge metric may throw what its model throws.)
    virtual Scored score(const Example& example, const std::string& reply) const = 0;

    Attempt attempt(const std::string& system_prompt, const Example& example,
                    LanguageModel& target) const override;

protected:
    // One target call with messages(); the Attempt's reply and call counts, not yet scored.
    Attempt ask(const std::string& system_prompt, const Example& example, LanguageModel& target) const;
};

}  // namespace remask
