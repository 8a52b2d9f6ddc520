#pragma once
// The denoising loop shared by every sampler: fills the masked positions of a batch of
// same-length sequences, one LogitsSource call per step.
//
//   std::vector<std::vector<int32_t>> batch = {tokens, tokens};  // K = 2 candidates
//   auto sampler = make_sampler(sampling);
//   DenoiseOptions options;  options.mask_id = 126336;  options.seed = 7;
//   DenoiseResult result = denoise(source, *sampler, batch, options);
//
// Promises:
// - only positions holding mask_id at the start are ever written; every other token is
//   unchanged, and on return no sequence holds mask_id;
// - each step makes exactly one source.logits (or logits_refresh / logits_partial) call for the whole batch (2x the batch rows
//   with classifier-free guidance), and asks only for positions that are still masked in
//   some sequence and that the sampler may reveal this step (the union over the batch);
// - the same seed, options and logits give the same tokens, bit for bit, whatever the
//   thread count.

#include <cstdint>
#include <functional>
#include <vector>

#include "diffusion/sampler.h"
#include "model/logits_source.h"

namespace remask {

// What one step revealed, per row of the batch.
struct StepTrace {
    int64_t step = 0;                       // the sampler's schedule step
    std::vector<std::vector<Reveal>> rows;  // [row] reveals in the order chosen
};

struct DenoiseOptions {
    int32_t mask_id = -1;  // the model's mask token; < 0 is an error (no mask token)
    uint64_t seed = 0;
    // Classifier-free guidance (LLaDA): > 0 adds an unconditional pass in the same call,
    // with the prompt replaced by mask tokens; logits = un + (cfg + 1) * (cond - un).
    double cfg_scale = 0.0;
    // The prompt hidden in the unconditional pass: positions [0, cfg_prompt_length);
    // -1 = every position not masked at the start (the reference's prompt_index).
    int64_t cfg_prompt_length = -1;
    // Token ids whose logits are set to -inf before sampling (e.g. end-of-text, LLaDA's
    // logits_eos_inf). The mask id is always forbidden, so no step writes a mask.
    std::vector<int32_t> forbidden_tokens;
    // Dual KV cache (when the source has one): a full forward starts the fill, every block
    // (a step asking for a position outside the active set) and every kv_refresh-th step;
    // the steps between compute only the active positions (those eligible at the refresh).
    // kv_refresh = 1 gives exactly the logits of no cache.
    bool dual_kv_cache = false;
    int64_t kv_refresh = 8;
    ThreadPool* pool = nullptr;   // null: everything on the calling thread
    bool record_trace = false;    // keep every StepTrace in DenoiseResult::trace
    std::function<void(const StepTrace&)> on_step;  // called after each step, if set
};

struct DenoiseResult {
    int64_t steps = 0;           // steps taken (= forward passes)
    int64_t full_forwards = 0;   // of those, full forwards (all of them without a KV cache)
    std::vector<StepTrace> trace;  // when record_trace
};

// tokens: [batch][length], filled in place. Throws InputError for a missing mask token,
// rows of different lengths or invalid sampler options.
DenoiseResult denoise(LogitsSource& source, Sampler& sampler,
                      std::vector<std::vector<int32_t>>& tokens, const DenoiseOptions& options);

// Ascending positions holding mask_id, per row.
std::vector<std::vector<int64_t>> masked_positions(const std::vector<std::vector<int32_t>>& tokens,
                                                   int32_t mask_id);

// Throws InputError naming the model when it has no mask token (mask_id < 0).
void require_mask_token(int32_t mask_id);

}  // namespace remask
