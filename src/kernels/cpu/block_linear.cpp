#include "kernels/cpu/block_linear.h"

#include <algorithm>

#include "core/error.h"
#include "core/grown_buffer.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/vector_kernels.h"

namespace remask {
namespace {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// A tile of dequantized weights of about this many bytes stays in the core's L2 cache while
// the product reads it.
constexpr int64_t kTileBytes = 1 << 20;
constexpr size_t kMaxCachedPrimitives = 64;

}  // namespace

std::shared_ptr<BlockLinear> BlockLinear::make(const std::vector<Weight>& parts,
                                               const std::vector<std::vector<float>>& biases, ComputeType type,
                                               bool direct_products) {
    if (type != ComputeType::f32 && type != ComputeType::bf16)
        throw InputError("compute type", "quantized GGUF weights compute in f32 or bf16, not " + compute_type_name(type));
    if (!compute_type_supported(type))
        throw InputError("compute type", compute_type_name(type) + " matrix products are not supported on this CPU (" +
                                             isa_name(active_isa()) + ")");
    auto out = std::shared_ptr<BlockLinear>(new BlockLinear());
    out->parts_ = parts;
    out->type_ = type;
    out->k_ = parts.at(0).cols;
    for (const Weight& w : parts) {
        out->part_begin_.push_back(out->n_);
        out->n_ += w.rows;
    }
    bool any_bias = false;
    for (const auto& b : biases) any_bias = any_bias || !b.empty();
    if (any_bias) {
        out->bias_.assign(out->n_, 0.0f);
        for (size_t i = 0; i < parts.size() && i < biases.size(); ++i)
            std::copy(biases[i].begin(), biases[i].end(), out->bias_.begin() + out->part_begin_[i]);
    }
    const int64_t element = type == ComputeType::f32 ? 4 : 2;
    if (direct_products && Int8BlockProduct::usable(parts)) out->integer_ = std::make_unique<Int8BlockProduct>(parts);
    else if (direct_products && F16PanelProduct::usable(parts))
        out->f16_ = F16PanelProduct::make(parts, /*release_source=*/true);
    if (direct_products && !out->integer_ && !out->f16_ && Bf16PanelProduct::usable(parts))
        out->bf16_ = std::make_unique<Bf16PanelProduct>(parts, /*release_source=*/true);
    out->tile_rows_ = std::clamp<int64_t>(kTileBytes / (out->k_ * element) / 64 * 64, 64, 1024);
    return out;
}

int64_t BlockLinear::bytes() const {
    int64_t total = 4 * static_cast<int64_t>(bias_.size());
    if (bf16_) return total + bf16_->bytes();
    if (f16_) return total + f16_->bytes();
    for (const Weight& w : parts_) total += w.bytes();
    return total;
}

bool BlockLinear::row_to_f32(int64_t row, float* out) const {
    if (bf16_) bf16_->row_to_f32(row, out);
    else if (f16_) f16_->row_to_f32(row, out);
    return bf16_ || f16_;
}

void BlockLinear::dequantize_rows(int64_t begin, int64_t count, void* out) const {
    const VectorKernels& kernels = vector_kernels();
#pragma omp parallel
    {
        std::vector<float> row(type_ == ComputeType::bf16 ? k_ : 0);
#pragma omp for schedule(static)
        for (int64_t i = 0; i < count; ++i) {
            const int64_t global = begin + i;
            const size_t part = std::upper_bound(part_begin_.begin(), part_begin_.end(), global) - part_begin_.begin() - 1;
            const Weight& w = parts_[part];
            const int64_t r = global - part_begin_[part];
            if (type_ == ComputeType::f32) {
                weight_row_to_f32(w, r, static_cast<float*>(out) + i * k_);
            } else {
                weight_row_to_f32(w, r, row.data());
                kernels.to_bf16(row.data(), k_, static_cast<uint16_t*>(out) + i * k_);
            }
        }
    }
}

dnnl::matmul BlockLinear::primitive(int64_t m, int64_t rows, bool accumulate) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto key = std::make_tuple(m, rows, accumulate);
    auto found = primitives_.find(key);
    if (found != primitives_.end()) return found->second;
    if (primitives_.size() >= kMaxCachedPrimitives) primitives_.clear();
    const dt compute = type_ == ComputeType::f32 ? dt::f32 : dt::bf16;
    dnnl::primitive_attr attr;
    if (accumulate) {
        dnnl::post_ops ops;
        ops.append_sum(1.0f);
        attr.set_post_ops(ops);
    }
    const dnnl::memory::desc src({m, k_}, compute, tag::ab);
    const dnnl::memory::desc weights({k_, rows}, compute, tag::ba);  // the tile: rows × k, row-major
    const dnnl::memory::desc dst({m, rows}, dt::f32, dnnl::memory::dims{n_, 1});
    dnnl::matmul::primitive_desc pd =
        bias_.empty() ? dnnl::matmul::primitive_desc(dnnl::matmul::desc(src, weights, dst), attr, onednn_engine())
                      : dnnl::matmul::primitive_desc(
                            dnnl::matmul::desc(src, weights, dnnl::memory::desc({1, rows}, dt::f32, tag::ab), dst),
                            attr, onednn_engine());
    return primitives_.emplace(key, dnnl::matmul(pd)).first->second;
}

void BlockLinear::apply(const float* x, int64_t m, float* y, bool accumulate) const {
    if (m <= 0) return;
    if (integer_) return integer_->apply(x, m, y, bias_.empty() ? nullptr : bias_.data(), accumulate);
    if (bf16_) return bf16_->apply(x, m, y, bias_.empty() ? nullptr : bias_.data(), accumulate);
    if (f16_) return f16_->apply(x, m, y, bias_.empty() ? nullptr : bias_.data(), accumulate);
    static std::mutex scratch_mutex;
    static std::vector<uint16_t> x_bf16;
    static std::vector<uint8_t> tile;
    std::lock_guard<std::mutex> scratch_lock(scratch_mutex);
    const VectorKernels& kernels = vector_kernels();
    auto& engine = onednn_engine();
    const dt compute = type_ == ComputeType::f32 ? dt::f32 : dt::bf16;
    const int64_t element = type_ == ComputeType::f32 ? 4 : 2;

    void* source = const_cast<float*>(x);
    if (type_ == ComputeType::bf16) {
        uint16_t* converted = grown_buffer(x_bf16, m * k_);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < m; ++i) kernels.to_bf16(x + i * k_, k_, converted + i * k_);
        source = converted;
    }
    uint8_t* tile_data = grown_buffer(tile, tile_rows_ * k_ * element);
    const dnnl::memory src({{m, k_}, compute, tag::ab}, engine, source);
    for (int64_t begin = 0; begin < n_; begin += tile_rows_) {
        const int64_t rows = std::min(tile_rows_, n_ - begin);
        dequantize_rows(begin, rows, tile_data);
        const dnnl::memory weights({{k_, rows}, compute, tag::ba}, engine, tile_data);
        const dnnl::memory dst({{m, rows}, dt::f32, dnnl::memory::dims{n_, 1}}, engine, y + begin);
        std::unordered_map<int, dnnl::memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
        if (!bias_.empty())
            args.emplace(DNNL_ARG_BIAS, dnnl::memory({{1, rows}, dt::f32, tag::ab}, engine,
                                                     const_cast<float*>(bias_.data()) + begin));
        primitive(m, rows, accumulate).execute(onednn_stream(), args);
        onednn_stream().wait();
    }
}

}  // namespace remask
