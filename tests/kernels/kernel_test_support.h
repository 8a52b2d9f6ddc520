#pragma once
// What the kernel tests share: the error measure every kernel is held to, random inputs,
// and random bf16 weights stacked in parts (q|k|v-like).

#include <cmath>
#include <random>
#include <vector>

#include "kernels/cpu/dtype.h"

namespace remask::test {

// n values drawn from N(0, 1).
inline std::vector<float> random_floats(int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> normal;
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

// Parts of `rows[i]` rows × k random bf16 weights (N(0, 0.05), a model's range), stacked.
struct Bf16TestMatrix {
    std::vector<std::vector<uint16_t>> storage;
    std::vector<Weight> parts;
    int64_t n = 0;  // stacked rows
};
inline Bf16TestMatrix random_bf16_matrix(int64_t k, const std::vector<int64_t>& rows, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.0f, 0.05f);
    Bf16TestMatrix out;
    out.storage.reserve(rows.size());
    for (int64_t r : rows) {
        std::vector<uint16_t> values(r * k);
        for (auto& v : values) v = f32_to_bf16(normal(rng));
        out.storage.push_back(std::move(values));
        out.parts.push_back(Weight{DType::bf16, out.storage.back().data(), r, k, nullptr});
        out.n += r;
    }
    return out;
}

// ‖got − want‖ / ‖want‖ (Frobenius, in double).
inline double kernel_relative_error(const std::vector<float>& got, const std::vector<float>& want) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        diff += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        norm += double(want[i]) * want[i];
    }
    return std::sqrt(diff / norm);
}

}  // namespace remask::test
