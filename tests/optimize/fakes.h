#pragma once
// Test doubles for the optimizer's interfaces.
//
// FakeEvaluator: a sentiment "target" that answers in the right format only when the
// system prompt states it (kLabelRule); otherwise it rambles and is right on every fourth
// example only. So a prompt's accuracy is 1.0 with the rule and 0.25 without.
// FakeRewriter: a chat LLM that adds the rule when the traces show format failures.
// FakeInfiller: fills spans with their original text, except that candidate 0 writes the
// rule into the first span when it sees failing traces in its context.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "llm/language_model.h"
#include "optimize/prompt_evaluator.h"
#include "optimize/span_infiller.h"
#include "optimize/wiring.h"

namespace remask::optimize::testing {

inline constexpr const char* kLabelRule = "Answer with one word: positive or negative.";

class FakeEvaluator : public PromptEvaluator {
  public:
    FakeEvaluator(size_t train = 16, size_t val = 12, size_t test = 8);

    std::vector<Trace> evaluate(const std::string& system_prompt,
                                const std::vector<std::string>& ids) override;
    std::vector<std::string> split(const std::string& name) override;
    Spend spent() const override { return spent_; }

    // Throw (like a dropped connection) on the evaluate() call with this index (0-based).
    int64_t throw_on_call = -1;
    int64_t calls_before_throw = 0;  // target calls that call spends before it throws
    int64_t evaluate_calls = 0;
    // Every (prompt, example) pair evaluated, with multiplicity: resume tests check that
    // no pair is evaluated twice across the processes of one run.
    std::multiset<std::pair<std::string, std::string>> evaluated;
    std::vector<std::string> prompts_seen;

  private:
    std::map<std::string, std::vector<std::string>> splits_;
    Spend spent_;
};

class FakeRewriter : public LanguageModel {
  public:
    ChatResponse chat(const ChatRequest& request) override;
    std::string describe() const override { return "fake-rewriter"; }
    int64_t calls = 0;
    std::vector<std::string> user_turns;
};

class FakeInfiller : public SpanInfiller {
  public:
    InfillResult infill(const InfillRequest& request) override;
    std::vector<InfillRequest> requests;
};

// A Wiring whose factories return fakes sharing `shared_*` counters (pointers stay valid
// for the test's lifetime).
struct FakeWorld {
    int64_t evaluators_built = 0;
    std::vector<FakeEvaluator*> evaluators;  // owned by the optimizer while it runs
    int64_t total_target_calls() const;
    int64_t throw_on_call = -1;  // passed to the next evaluator built
    Wiring wiring();
    std::vector<std::unique_ptr<FakeEvaluator>> keep_alive;
};

// A config for the fake world: files written under `dir`; returns the config path.
std::string write_config(const std::string& dir, const std::string& proposer, int64_t target_calls,
                         const std::string& extra_optimizer = "", const std::string& prompt = "");

std::string temp_dir(const std::string& name);

}  // namespace remask::optimize::testing
