#include "kernels/cpu/vector_kernels.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/dtype.h"

namespace remask {
namespace avx2_kernels { extern const VectorKernels kKernels; }
namespace avx512_kernels { extern const VectorKernels kKernels; }

namespace {

// The plain versions: double accumulation, std::exp, one element at a time.
void rms_norm_row_ref(const float* x, int64_t d, const float* weight, const float* bias, float eps,
                      float* y) {
    double sum = 0;
    for (int64_t j = 0; j < d; ++j) sum += double(x[j]) * x[j];
    const float scale = static_cast<float>(1.0 / std::sqrt(sum / d + eps));
    for (int64_t j = 0; j < d; ++j) {
        float v = x[j] * scale;
        if (weight) v *= weight[j];
        if (bias) v += bias[j];
        y[j] = v;
    }
}

void to_bf16_ref(const float* x, int64_t n, uint16_t* y) {
    for (int64_t i = 0; i < n; ++i) y[i] = f32_to_bf16(x[i]);
}

void softmax_row_ref(float* s, int64_t visible, int64_t n, float scale) {
    double max_value = -INFINITY;
    for (int64_t j = 0; j < visible; ++j) max_value = std::max(max_value, double(s[j]) * scale);
    double total = 0;
    std::vector<double> e(visible);
    for (int64_t j = 0; j < visible; ++j) total += e[j] = std::exp(double(s[j]) * scale - max_value);
    for (int64_t j = 0; j < visible; ++j) s[j] = static_cast<float>(e[j] / total);
    for (int64_t j = visible; j < n; ++j) s[j] = 0.0f;
}

void silu_mul_ref(const float* gate, const float* up, int64_t n, float* out) {
    for (int64_t i = 0; i < n; ++i) {
        const double g = gate[i];
        out[i] = static_cast<float>(g / (1.0 + std::exp(-g)) * up[i]);
    }
}

float quantize_row_u8_ref(const float* x, int64_t k, uint8_t* q) {
    float amax = 0;
    for (int64_t i = 0; i < k; ++i) amax = std::max(amax, std::fabs(x[i]));
    const float scale = amax > 0 ? amax / 127.0f : 1.0f;
    for (int64_t i = 0; i < k; ++i) {
        const float v = std::clamp(std::nearbyint(x[i] * (1.0f / scale)), -127.0f, 127.0f);
        q[i] = static_cast<uint8_t>(static_cast<int>(v) + 128);
    }
    return scale;
}

void dequantize_row_ref(const int32_t* acc, int64_t n, float row_scale, const float* col_scale,
                        const int32_t* colsum, const float* bias, bool accumulate, float* y) {
    for (int64_t j = 0; j < n; ++j) {
        const double v = double(int64_t(acc[j]) - 128 * int64_t(colsum[j])) * row_scale * col_scale[j] +
                         (bias ? bias[j] : 0.0);
        y[j] = static_cast<float>(accumulate ? y[j] + v : v);
    }
}

const VectorKernels kReference = {Isa::avx2,   rms_norm_row_ref,    to_bf16_ref,       softmax_row_ref,
                                  silu_mul_ref, quantize_row_u8_ref, dequantize_row_ref};

}  // namespace

const VectorKernels* vector_kernels_for(Isa isa) {
    if (isa > detected_isa()) return nullptr;
    return isa == Isa::avx2 ? &avx2_kernels::kKernels : &avx512_kernels::kKernels;
}

const VectorKernels& vector_kernels() {
    static const VectorKernels* chosen = vector_kernels_for(active_isa() == Isa::avx2 ? Isa::avx2 : Isa::avx512);
    return *chosen;
}

const VectorKernels& reference_kernels() { return kReference; }

}  // namespace remask
