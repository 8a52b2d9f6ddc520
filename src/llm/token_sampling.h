#pragma once
// Choosing the next token of a causal model from one row of logits: greedy at temperature 0,
// else temperature, top-k and top-p (nucleus) filtering and a categorical draw. The draw
// uses the keyed RNG of the samplers, so the same seed gives the same text on any machine.

#include <cstdint>

#include "diffusion/rng.h"

namespace remask {

struct TokenSamplingOptions {
    double temperature = 0.0;  // 0 = greedy (argmax, lowest id on ties)
    double top_p = 1.0;        // keep the smallest set of tokens whose probability reaches top_p
    int64_t top_k = 0;         // keep the k most likely tokens; 0 = all
};

// logits: [vocab]. Never returns an id whose logit is -inf unless every logit is.
int32_t sample_token(const float* logits, int64_t vocab, const TokenSamplingOptions& options,
                     RandomStream& stream);

}  // namespace remask
