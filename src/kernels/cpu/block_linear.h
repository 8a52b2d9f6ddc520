#pragma once
// A linear layer whose weights stay in GGUF's quantized ggml blocks (memory-mapped: resident
// memory ≈ the file's size) and are dequantized a tile of output rows at a time, into the
// compute type (bf16 or f32), right before a oneDNN product over all the input rows; or,
// with direct products, int8 on the blocks as llama.cpp does (int8_blocks.h), or a BF16
// file's weights kept at their size in float16 panels (f16_panels.h: float16 arithmetic,
// twice float32's rate, on AVX-512 FP16 CPUs) or bf16 panels (bf16_panels.h: exact). Our
// forwards multiply hundreds of rows at once, so a tile's dequantization costs little per
// row. The reference is PackedLinear::pack on the same parts, which dequantizes everything
// at load (weight_row_to_f32); tests/model compares the two.
//
//   auto qkv = BlockLinear::make({w.q, w.k, w.v}, {b.q, b.k, b.v}, ComputeType::bf16);
//   qkv->apply(x, tokens, y);   // y [tokens, q+k+v rows] = x·Wᵀ + b (accumulate: y +=)

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include "kernels/cpu/bf16_panels.h"
#include "kernels/cpu/dtype.h"
#include "kernels/cpu/f16_panels.h"
#include "kernels/cpu/int8_blocks.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/onednn.h"

namespace remask {

class BlockLinear {
public:
    // parts: stacked along rows, same cols; any mix of block and plain weights. type: f32
    // or bf16 (InputError otherwise or where the CPU lacks it). direct_products: where
    // Int8BlockProduct::usable(parts) (every part a block type with an integer kernel, a
    // VNNI CPU), products run on the blocks in int8 as llama.cpp's do (int8_blocks.h);
    // plain bf16 parts are packed once (the source pages dropped) into float16 panels where
    // F16PanelProduct::make takes them (an AVX-512 FP16 CPU, weights in float16's range),
    // else into bf16 panels where Bf16PanelProduct::usable (an AVX-512 CPU); otherwise
    // tiles into `type`.
    static std::shared_ptr<BlockLinear> make(const std::vector<Weight>& parts,
                                             const std::vector<std::vector<float>>& biases, ComputeType type,
                                             bool direct_products = false);

    int64_t out_features() const { return n_; }
    int64_t in_features() const { return k_; }
    ComputeType type() const { return type_; }
    bool integer_products() const { return integer_ != nullptr; }
    bool bf16_products() const { return bf16_ != nullptr; }
    bool f16_products() const { return f16_ != nullptr; }
    int64_t bytes() const;  // the blocks (file pages) or bf16 panels, and the bias

    // y [m, n] = x [m, k] · Wᵀ + bias; with accumulate, y += that.
    void apply(const float* x, int64_t m, float* y, bool accumulate) const;

    // Rows [begin, begin + count) of the stacked weights in the compute type, row-major
    // (the tile the product reads).
    void dequantize_rows(int64_t begin, int64_t count, void* out) const;

    // Row `row` of the stacked weights in float32 from the bf16 panels; false without them.
    bool row_to_f32(int64_t row, float* out) const;

private:
    dnnl::matmul primitive(int64_t m, int64_t rows, bool accumulate) const;

    std::vector<Weight> parts_;
    std::vector<int64_t> part_begin_;  // first stacked row of each part
    std::vector<float> bias_;          // [n] or empty
    ComputeType type_ = ComputeType::bf16;
    int64_t n_ = 0, k_ = 0;
    int64_t tile_rows_ = 0;
    mutable std::mutex mutex_;
    mutable std::map<std::tuple<int64_t, int64_t, bool>, dnnl::matmul> primitives_;
    std::unique_ptr<Int8BlockProduct> integer_;  // set: the integer block kernel runs instead
    std::unique_ptr<Bf16PanelProduct> bf16_;     // set: the bf16 panel kernel runs instead
    std::unique_ptr<F16PanelProduct> f16_;       // set: the float16 panel kernels run instead
};

}  // namespace remask
