#pragma once
// Per-position arithmetic the samplers share: choosing a token from one row of logits and
// scoring how confident that choice is. Every function takes one row, logits: [vocab]
// float32, and does its arithmetic in double precision.
//
// Ties: an argmax returns the lowest token id among equal maxima (as torch.argmax and
// torch.max(dim) document).

#include <cstdint>
#include <vector>

#include "diffusion/rng.h"

namespace remask {

// Index of the largest logit; the lowest id among ties.
int32_t argmax_token(const float* logits, int64_t vocab);

// softmax(logits)[token], in double.
double softmax_probability(const float* logits, int64_t vocab, int32_t token);

// LLaDA's Gumbel-max choice: argmax over v of exp(l_v) / (-log u_v)^temperature with
// u_v uniform, computed as l_v - temperature * log(-log u_v) in double (the same argmax,
// without overflow). One uniform per token id, drawn in id order from `noise`.
// temperature == 0: argmax_token.
int32_t gumbel_max_token(const float* logits, int64_t vocab, double temperature,
                         RandomStream& noise);

// How Dream scores a position once its distribution is known.
enum class DreamConfidence { probability, margin, neg_entropy };

struct TokenChoice {
    int32_t token = 0;
    double confidence = 0.0;
};

// Dream's sample_tokens for one row: logits / temperature (when > 0), then top-p (< 1),
// then top-k (> 0) filtering, then softmax. temperature > 0 draws the token from that
// distribution (inverse CDF over ids in order, one uniform from `noise`), else the most
// probable one. Confidence: the chosen token's probability, top1 - top2 probability, or
// sum p log(p + 1e-10) (negative entropy). `work` is scratch space, resized as needed.
TokenChoice dream_choose_token(const float* logits, int64_t vocab, double temperature,
                               double top_p, int64_t top_k, DreamConfidence kind,
                               RandomStream& noise, std::vector<double>& work);

}  // namespace remask
