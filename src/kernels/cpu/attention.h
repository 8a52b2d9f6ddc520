#pragma once
// Scaled dot-product attention with grouped KV heads (GQA): query head h reads KV head
// h / (q_heads / kv_heads), as HF's repeat_kv does. Softmax in float32 with max subtraction.

#include <cstdint>

namespace remask {

struct AttentionShape {
    int64_t queries = 0;   // t: query rows
    int64_t keys = 0;      // s: key/value rows
    int64_t q_heads = 0;
    int64_t kv_heads = 0;
    int64_t head_dim = 0;
    // Causal: query i sits at position first_query_position + i and sees keys 0..that
    // position. Bidirectional: every query sees every key.
    bool causal = false;
    int64_t first_query_position = 0;
};

// q:   [queries, q_heads * head_dim],  row i at q + i * q_stride
// k,v: [keys, kv_heads * head_dim],    row j at k + j * kv_stride (same for v)
// out: [queries, q_heads * head_dim],  row i at out + i * out_stride (written)
// Scale 1/sqrt(head_dim). Per head: scores = Q·Kᵀ and out = P·V as oneDNN matrix products,
// the softmax in between with our row kernel, rows spread over the OpenMP threads.
void attention(const AttentionShape& shape, const float* q, int64_t q_stride, const float* k,
               const float* v, int64_t kv_stride, float* out, int64_t out_stride);

// The plain loop (one query row at a time, std::exp) that attention() is tested against.
void attention_reference(const AttentionShape& shape, const float* q, int64_t q_stride, const float* k,
               const float* v, int64_t kv_stride, float* out, int64_t out_stride);

}  // namespace remask
