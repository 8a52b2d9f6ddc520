#pragma once
// What the optimizer knows about one target answer, and what a piece of work cost.
//
// A Trace is one example run through the target with one system prompt: the loop hands
// traces to proposers (as evidence) and averages their scores (as the fitness of a prompt).

#include <cstdint>
#include <string>
#include <vector>

namespace remask::optimize {

struct Trace {
    std::string example_id;
    std::string input;     // what the target saw as the user turn (or a summary of an episode)
    std::string expected;  // the reference answer, "" when there is none
    std::string reply;     // what the target answered
    double score = 0.0;    // in [0, 1]; 1 = fully correct
    std::string feedback;  // why it got that score ("expected `positive`, answered `negative`")
    // Multi-trial tasks (tau-* with trials > 1): each trial's score; `score` is their mean.
    std::vector<double> trial_scores = {};
};

// Spending, counted as INTERFACES.md "What counts as a call" says: only calls that got an
// answer, cache hits free. Used both as running totals and as the delta of one step.
struct Spend {
    int64_t target_calls = 0;
    int64_t user_calls = 0;
    int64_t rewriter_calls = 0;
    int64_t judge_calls = 0;
    int64_t scorer_calls = 0;  // webhook / exec scorer requests; never capped
    int64_t dlm_forwards = 0;
    int64_t tokens = 0;
    double usd = 0.0;

    Spend& operator+=(const Spend& o) {
        target_calls += o.target_calls;
        user_calls += o.user_calls;
        rewriter_calls += o.rewriter_calls;
        judge_calls += o.judge_calls;
        scorer_calls += o.scorer_calls;
        dlm_forwards += o.dlm_forwards;
        tokens += o.tokens;
        usd += o.usd;
        return *this;
    }
    Spend operator-(const Spend& o) const {
        Spend d = *this;
        d.target_calls -= o.target_calls;
        d.user_calls -= o.user_calls;
        d.rewriter_calls -= o.rewriter_calls;
        d.judge_calls -= o.judge_calls;
        d.scorer_calls -= o.scorer_calls;
        d.dlm_forwards -= o.dlm_forwards;
        d.tokens -= o.tokens;
        d.usd -= o.usd;
        return d;
    }
};

}  // namespace remask::optimize
