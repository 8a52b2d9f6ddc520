#pragma once
// The interface every masked-diffusion sampler implements, and the options that pick one.
//
// A sampler decides, step by step, which masked positions of each sequence to reveal and
// with which tokens; the loop that calls the model, keeps unmasked tokens untouched and
// records the trace is shared (denoise.h). One sampler per file:
//   llada_sampler.h      `low_confidence`, `random` (block semi-autoregressive)
//   dream_sampler.h      `origin`, `maskgit_plus`, `topk_margin`, `entropy`
//   threshold_sampler.h  confidence-threshold parallel unmasking (Fast-dLLM)
// make_sampler (sampler_factory.h) builds one from SamplingOptions.
//
// Call order, driven by denoise():
//   begin(masked, length, rng)       once, before the first step
//   while (next_step(masked, plan))  plan.eligible[row] = positions that may be revealed
//       choose(row_step, reveals)    for every row with eligible positions

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "diffusion/rng.h"

namespace remask {

class ThreadPool;

// Everything that selects and tunes a sampler. Defaults follow the [dlm] table.
struct SamplingOptions {
    // low_confidence | random | origin | maskgit_plus | topk_margin | entropy
    std::string sampler = "low_confidence";
    int64_t steps = 32;         // schedule steps (an upper bound on forward passes)
    int64_t block_length = 0;   // LLaDA / threshold blocks; 0 = one block
    double temperature = 0.0;   // 0 = greedy
    double top_p = 1.0;         // Dream: nucleus filtering when < 1
    int64_t top_k = 0;          // Dream: keep the k best logits when > 0
    double alg_temp = 0.0;      // Dream: > 0 samples positions instead of taking the top-k
    double eps = 1e-3;          // Dream: last timestep of linspace(1, eps, steps + 1)
    double threshold = 0.0;     // > 0: confidence-threshold parallel unmasking
    // The dual KV cache of span infill (denoise.h): "dual" reuses the keys and values of
    // the positions not being filled for kv_refresh steps between full forwards; "none"
    // runs a full forward every step (exact). docs/samplers.md gives the measurements.
    std::string kv_cache = "dual";
    int64_t kv_refresh = 8;
};

// One position revealed in one step.
struct Reveal {
    int64_t position = 0;
    int32_t token = 0;
    double confidence = 0.0;  // the sampler's score (probability, margin, -entropy, ...)
};

// What the sampler wants computed in the next step.
struct StepPlan {
    int64_t step = 0;                            // schedule step index (0-based)
    std::vector<std::vector<int64_t>> eligible;  // [row] ascending masked positions
};

// One row of one step, as choose() sees it.
struct RowStep {
    int64_t step = 0;
    size_t row = 0;
    std::span<const int64_t> positions;  // eligible positions, ascending
    std::span<const float* const> logits;  // logits[i]: [vocab] row of positions[i]
    int64_t vocab = 0;
    const KeyedRng* rng = nullptr;
    ThreadPool* pool = nullptr;  // may be null: work runs on the calling thread
};

class Sampler {
public:
    virtual ~Sampler() = default;

    virtual std::string_view name() const = 0;

    // masked[row]: ascending masked positions of each sequence, all of length `length`;
    // rng: the run's keyed noise (the same one choose() gets). Builds the schedule; throws
    // InputError for invalid option combinations.
    virtual void begin(const std::vector<std::vector<int64_t>>& masked, int64_t length,
                       const KeyedRng& rng) = 0;

    // Plans the next step from the still-masked positions. Returns false when finished.
    // Steps in which no row would reveal anything are skipped (no forward pass is spent).
    virtual bool next_step(const std::vector<std::vector<int64_t>>& masked, StepPlan& plan) = 0;

    // Appends the reveals of one row (a subset of row_step.positions, each at most once).
    virtual void choose(const RowStep& row_step, std::vector<Reveal>& reveals) const = 0;
};

}  // namespace remask
