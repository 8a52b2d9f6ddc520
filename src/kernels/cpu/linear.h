#pragma once
// A linear layer's weights packed once, at load, for oneDNN's matrix-product kernels, in
// the type they are computed in:
//   f32  — float32 weights and activations (float32 checkpoints: exact to the reference);
//   bf16 — bf16 weights and activations, float32 accumulation (AVX-512 BF16 or AMX);
//   int8 — weights quantized per output channel (symmetric, s8), activations per row
//          (u8 with zero point 128) at run time, int32 accumulation (VNNI); on AVX2 7-bit
//          weights and s8 activations, so oneDNN's 16-bit pair sums cannot saturate.
//
//   PackedLinear qkv = PackedLinear::pack({w.q, w.k, w.v}, {w.q_bias, w.k_bias, w.v_bias},
//                                         ComputeType::bf16);
//   qkv.apply(x, tokens, y);                 // y [tokens, q+k+v rows] = x·Wᵀ + b
//   o.apply(attn, tokens, residual, true);   // residual += attn·Woᵀ
//
// The packed copy is the only one the engine keeps: with release_source the memory-mapped
// pages are dropped as they are packed. matmul_nt_reference is the simple version the
// tests compare against.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/cpu/dtype.h"

namespace remask {

enum class ComputeType { f32, bf16, int8 };

std::string compute_type_name(ComputeType type);  // "f32", "bf16", "int8"
// Whether this CPU (under REMASK_MAX_ISA) has a kernel for the type.
bool compute_type_supported(ComputeType type);

class PackedLinear {
public:
    PackedLinear() = default;
    // Stacks the rows of `parts` (all with the same cols) into one matrix; biases[i] may
    // be empty (no bias for that part). Throws InputError when the CPU lacks the type.
    // release_source: the parts are read-only file mappings whose pages are dropped as they
    // are packed, so packing holds one extra chunk, not one extra tensor.
    static PackedLinear pack(const std::vector<Weight>& parts,
                             const std::vector<std::vector<float>>& biases, ComputeType type,
                             bool release_source = false);

    // Weights in GGUF's quantized blocks kept as they are (block_linear.h), dequantized a
    // tile at a time into `type` (f32 or bf16) at each product. The parts may mix block and
    // plain weights. direct_products: int8 products on the blocks, or bf16 dot products on
    // plain bf16 weights, where the CPU and the types allow (BlockLinear::make).
    static PackedLinear keep_blocks(const std::vector<Weight>& parts,
                                    const std::vector<std::vector<float>>& biases, ComputeType type,
                                    bool direct_products = false);

    bool empty() const { return impl_ == nullptr && blocks_ == nullptr; }
    int64_t out_features() const;
    int64_t in_features() const;
    ComputeType type() const;
    int64_t bytes() const;  // packed weights, scales and bias
    // How the products run, for `remask info`: "f32 packed", "int8 on GGUF blocks",
    // "float16 panels", "bf16 panels", "f32 tiles of GGUF blocks", ...
    std::string kernel_name() const;

    // y [m, out_features] = x [m, in_features] · Wᵀ + bias; with accumulate, y += that.
    void apply(const float* x, int64_t m, float* y, bool accumulate = false) const;

    // Weight row `row` widened to float32 into out [in_features], where the stored layout
    // gives it back exactly (bf16 panels); false (out untouched) otherwise.
    bool row_to_f32(int64_t row, float* out) const;

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
    std::shared_ptr<const class BlockLinear> blocks_;  // set instead of impl_ by keep_blocks
};

}  // namespace remask
