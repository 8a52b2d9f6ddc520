#include "kernels/cpu/linear.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <unordered_map>

#include "core/error.h"
#include "core/grown_buffer.h"
#include "kernels/cpu/stacked_parts.h"
#include "kernels/cpu/block_linear.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/onednn.h"
#include "kernels/cpu/vector_kernels.h"

namespace remask {
namespace {

using dims = dnnl::memory::dims;
using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

// int8 activations are u8 with zero point 128 where the CPU has VNNI (vpdpbusd). Without
// it, oneDNN multiplies through 16-bit pair sums (vpmaddubsw) that saturate for u8 · s8, so
// those CPUs get s8 activations (shifted to u8 inside oneDNN) and 7-bit weights, whose pair
// sums (2 · 255 · 63 = 32130) fit.
bool int8_has_vnni() { return has_int8_dot_product(); }

dt source_type(ComputeType type) {
    if (type == ComputeType::int8) return int8_has_vnni() ? dt::u8 : dt::s8;
    return type == ComputeType::f32 ? dt::f32 : dt::bf16;
}
dt weight_type(ComputeType type) {
    return type == ComputeType::f32 ? dt::f32 : type == ComputeType::bf16 ? dt::bf16 : dt::s8;
}
dt result_type(ComputeType type) { return type == ComputeType::int8 ? dt::s32 : dt::f32; }

dnnl::matmul::primitive_desc describe(ComputeType type, int64_t m, int64_t n, int64_t k, bool bias,
                                      bool accumulate, const dnnl::memory::desc& weights) {
    dnnl::primitive_attr attr;
    if (accumulate) {
        dnnl::post_ops ops;
        ops.append_sum(1.0f);
        attr.set_post_ops(ops);
    }
    const dnnl::memory::desc src({m, k}, source_type(type), tag::ab);
    const dnnl::memory::desc dst({m, n}, result_type(type), tag::ab);
    if (bias) {
        const dnnl::memory::desc bias_md({1, n}, dt::f32, tag::ab);
        return {dnnl::matmul::desc(src, weights, bias_md, dst), attr, onednn_engine()};
    }
    return {dnnl::matmul::desc(src, weights, dst), attr, onednn_engine()};
}

}  // namespace

std::string compute_type_name(ComputeType type) {
    return type == ComputeType::f32 ? "f32" : type == ComputeType::bf16 ? "bf16" : "int8";
}

bool compute_type_supported(ComputeType type) {
    try {
        describe(type, 16, 64, 64, false, false, dnnl::memory::desc({64, 64}, weight_type(type), tag::any));
        return true;
    } catch (const dnnl::error&) {
        return false;
    }
}

// Primitives kept per layer (one per row count and accumulate flag).
constexpr size_t kMaxCachedLinearPrimitives = 64;

struct PackedLinear::Impl {
    ComputeType type;
    int64_t n = 0, k = 0;
    dnnl::memory weights;            // packed, owned by oneDNN
    dnnl::memory bias;               // [1, n] float32, or empty
    std::vector<float> bias_values;  // int8: added while dequantizing
    std::vector<float> col_scale;    // int8: per output channel
    std::vector<int32_t> col_sum;    // int8: Σ_k q[n, k], for the zero point
    std::mutex mutex;
    std::map<std::pair<int64_t, bool>, dnnl::matmul> primitives;  // by (m, accumulate)

    dnnl::matmul primitive(int64_t m, bool accumulate) {
        std::lock_guard<std::mutex> lock(mutex);
        auto key = std::make_pair(m, accumulate);
        auto found = primitives.find(key);
        if (found == primitives.end()) {
            // The LM head sees a new row count at most sampler steps: keep the cache bounded.
            if (primitives.size() >= kMaxCachedLinearPrimitives) primitives.clear();
            const bool fused_bias = bias && type != ComputeType::int8;
            const bool fused_sum = accumulate && type != ComputeType::int8;
            found = primitives.emplace(key, dnnl::matmul(describe(type, m, n, k, fused_bias, fused_sum,
                                                                  weights.get_desc())))
                        .first;
        }
        return found->second;
    }
};

namespace {

// Rows [begin, begin + count) of the parts stacked, written to `out` as a plain row-major
// block of the compute type; int8 also records each row's scale and Σq.
void plain_rows(const std::vector<Weight>& parts, ComputeType type, int64_t begin, int64_t count, void* out,
                std::vector<float>& col_scale, std::vector<int32_t>& col_sum) {
    const int64_t k = parts[0].cols;
    std::vector<float> row(k);
    size_t part = 0;
    int64_t first_of_part = 0;
    for (int64_t i = 0; i < count; ++i) {
        const int64_t global = begin + i;
        while (global >= first_of_part + parts[part].rows) first_of_part += parts[part++].rows;
        const Weight& w = parts[part];
        const int64_t r = global - first_of_part;
        if (type == ComputeType::bf16 && w.dtype == DType::bf16 && !w.blocks) {
            std::copy_n(static_cast<const uint16_t*>(w.data) + r * k, k, static_cast<uint16_t*>(out) + i * k);
            continue;
        }
        weight_row_to_f32(w, r, row.data());
        if (type == ComputeType::f32) {
            std::copy(row.begin(), row.end(), static_cast<float*>(out) + i * k);
        } else if (type == ComputeType::bf16) {
            reference_kernels().to_bf16(row.data(), k, static_cast<uint16_t*>(out) + i * k);
        } else {
            const float levels = int8_has_vnni() ? 127.0f : 63.0f;
            float amax = 0;
            for (float v : row) amax = std::max(amax, std::fabs(v));
            const float scale = amax > 0 ? amax / levels : 1.0f;
            int32_t sum = 0;
            int8_t* q = static_cast<int8_t*>(out) + i * k;
            for (int64_t j = 0; j < k; ++j) {
                q[j] = static_cast<int8_t>(std::clamp(std::nearbyint(row[j] / scale), -levels, levels));
                sum += q[j];
            }
            col_scale[global] = scale;
            col_sum[global] = int8_has_vnni() ? sum : 0;  // s8 activations: no zero point
        }
    }
}

// Rows packed per reorder: a multiple of every block size oneDNN uses along n (16 to 64),
// small enough that the plain copy of one chunk costs little memory.
constexpr int64_t kChunkRows = 4096;

}  // namespace

PackedLinear PackedLinear::pack(const std::vector<Weight>& parts,
                                const std::vector<std::vector<float>>& biases, ComputeType type,
                                bool release_source) {
    if (!compute_type_supported(type))
        throw InputError("compute type", compute_type_name(type) + " matrix products are not supported on this CPU (" +
                                             isa_name(active_isa()) + ")");
    auto impl = std::make_shared<Impl>();
    impl->type = type;
    impl->k = parts.at(0).cols;
    for (const Weight& w : parts) impl->n += w.rows;
    const int64_t n = impl->n, k = impl->k;
    if (type == ComputeType::int8) {
        impl->col_scale.resize(n);
        impl->col_sum.resize(n);
    }

    auto& engine = onednn_engine();
    const dnnl::memory::desc any({k, n}, weight_type(type), tag::any);
    const dnnl::memory::desc packed = describe(type, 64, n, k, false, false, any).weights_desc();
    impl->weights = dnnl::memory(packed, engine);
    // One stored part already in the compute type is read where it lies; anything else
    // goes through a plain copy of one chunk. Chunks land in views of the packed layout, so
    // the source pages can be dropped as they are consumed; a layout carrying extra data
    // over all of n (oneDNN's compensation for s8 activations) is packed in one piece.
    const DType wanted = type == ComputeType::f32 ? DType::f32 : DType::bf16;
    const bool in_place = parts.size() == 1 && type != ComputeType::int8 && parts[0].dtype == wanted &&
                          !parts[0].blocks;
    int64_t chunk = n;
    if (n > kChunkRows && !packed.data.extra.flags) chunk = kChunkRows;
    std::vector<uint8_t> plain(in_place ? 0 : chunk * k * dnnl::memory::data_type_size(weight_type(type)));
    for (int64_t begin = 0; begin < n; begin += chunk) {
        const int64_t rows = std::min(chunk, n - begin);
        void* source_data = plain.data();
        if (in_place)
            source_data = const_cast<uint8_t*>(static_cast<const uint8_t*>(parts[0].data) +
                                               begin * k * dtype_size(parts[0].dtype));
        else
            plain_rows(parts, type, begin, rows, plain.data(), impl->col_scale, impl->col_sum);
        dnnl::memory source({{k, rows}, weight_type(type), tag::ba}, engine, source_data);
        dnnl::memory target = rows == n ? impl->weights
                                        : dnnl::memory(packed.submemory_desc({k, rows}, {0, begin}), engine,
                                                       impl->weights.get_data_handle());
        dnnl::reorder(source, target).execute(onednn_stream(), source, target);
        onednn_stream().wait();
        if (release_source) release_stacked_rows(parts, begin, begin + rows);
    }

    bool any_bias = false;
    for (const auto& b : biases) any_bias = any_bias || !b.empty();
    if (any_bias) {
        impl->bias_values.assign(n, 0.0f);
        int64_t at = 0;
        for (size_t i = 0; i < parts.size(); ++i) {
            if (i < biases.size() && !biases[i].empty())
                std::copy(biases[i].begin(), biases[i].end(), impl->bias_values.begin() + at);
            at += parts[i].rows;
        }
        if (type != ComputeType::int8)
            impl->bias = dnnl::memory({{1, n}, dt::f32, tag::ab}, engine, impl->bias_values.data());
    }
    PackedLinear out;
    out.impl_ = std::move(impl);
    return out;
}

PackedLinear PackedLinear::keep_blocks(const std::vector<Weight>& parts,
                                       const std::vector<std::vector<float>>& biases, ComputeType type,
                                       bool direct_products) {
    PackedLinear out;
    out.blocks_ = BlockLinear::make(parts, biases, type, direct_products);
    return out;
}

std::string PackedLinear::kernel_name() const {
    if (!blocks_) return compute_type_name(impl_->type) + " packed";
    if (blocks_->integer_products()) return "int8 on GGUF blocks";
    if (blocks_->f16_products()) return "float16 panels";
    if (blocks_->bf16_products()) return "bf16 panels";
    return compute_type_name(blocks_->type()) + " tiles of GGUF blocks";
}

bool PackedLinear::row_to_f32(int64_t row, float* out) const { return blocks_ && blocks_->row_to_f32(row, out); }

int64_t PackedLinear::out_features() const { return blocks_ ? blocks_->out_features() : impl_->n; }
int64_t PackedLinear::in_features() const { return blocks_ ? blocks_->in_features() : impl_->k; }
ComputeType PackedLinear::type() const { return blocks_ ? blocks_->type() : impl_->type; }

int64_t PackedLinear::bytes() const {
    if (blocks_) return blocks_->bytes();
    return static_cast<int64_t>(impl_->weights.get_desc().get_size() + 4 * impl_->bias_values.size() +
                                4 * impl_->col_scale.size() + 4 * impl_->col_sum.size());
}

void PackedLinear::apply(const float* x, int64_t m, float* y, bool accumulate) const {
    if (blocks_) return blocks_->apply(x, m, y, accumulate);
    Impl& impl = *impl_;
    const int64_t n = impl.n, k = impl.k;
    if (m <= 0) return;
    const VectorKernels& kernels = vector_kernels();
    auto& engine = onednn_engine();
    // One set of scratch buffers for the process, not per thread: a server calls forwards
    // from many threads (one at a time), and per-thread copies of the int8 head's
    // [rows, vocab] accumulator would add up.
    static std::mutex scratch_mutex;
    static std::vector<uint16_t> bf16_buffer;
    static std::vector<uint8_t> u8_buffer;
    static std::vector<float> row_scales;
    static std::vector<int32_t> acc_buffer;
    std::lock_guard<std::mutex> scratch_lock(scratch_mutex);

    void* source = const_cast<float*>(x);
    void* result = y;
    if (impl.type == ComputeType::bf16) {
        uint16_t* converted = grown_buffer(bf16_buffer, m * k);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < m; ++i) kernels.to_bf16(x + i * k, k, converted + i * k);
        source = converted;
    } else if (impl.type == ComputeType::int8) {
        uint8_t* quantized = grown_buffer(u8_buffer, m * k);
        float* scales = grown_buffer(row_scales, m);
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < m; ++i) {
            uint8_t* q = quantized + i * k;
            scales[i] = kernels.quantize_row_u8(x + i * k, k, q);
            if (!int8_has_vnni())  // v + 128 → v as a two's-complement byte
                for (int64_t j = 0; j < k; ++j) q[j] ^= 0x80;
        }
        source = quantized;
        result = grown_buffer(acc_buffer, m * n);
    }
    dnnl::memory src({{m, k}, source_type(impl.type), tag::ab}, engine, source);
    dnnl::memory dst({{m, n}, result_type(impl.type), tag::ab}, engine, result);
    std::unordered_map<int, dnnl::memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, impl.weights}, {DNNL_ARG_DST, dst}};
    if (impl.bias && impl.type != ComputeType::int8) args.emplace(DNNL_ARG_BIAS, impl.bias);
    impl.primitive(m, accumulate).execute(onednn_stream(), args);
    onednn_stream().wait();

    if (impl.type == ComputeType::int8) {
        const int32_t* acc = acc_buffer.data();
        const float* scales = row_scales.data();
        const float* bias = impl.bias_values.empty() ? nullptr : impl.bias_values.data();
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < m; ++i)
            kernels.dequantize_row(acc + i * n, n, scales[i], impl.col_scale.data(), impl.col_sum.data(), bias,
                                   accumulate, y + i * n);
    }
}

}  // namespace remask
