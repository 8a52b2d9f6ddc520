#pragma once
// Small element-wise ops of the transformer block.

#include <cstdint>

#include "kernels/cpu/dtype.h"

namespace remask {

// y[i] *= factor for i < n.
void scale_inplace(float* y, int64_t n, float factor);

// table: [vocab, d]; out: [n, d] = rows ids[0..n) of table widened to float32.
// Ids must be in [0, vocab) (checked by the caller).
void embedding_lookup(const Weight& table, const int32_t* ids, int64_t n, float* out);

}  // namespace remask
