// Quantized GGUF products (block_linear.h) at a model's shape: dequantizing a weight matrix
// (ns per value, per block type) and the whole product beside the packed bf16 / f32 product
// of the same matrix, and the integer block kernel (int8_blocks.h, AVX-512 VNNI) on the
// same blocks.
//
//   build/release/bench/bench_block_linear [M N K [int8]]  (default 256 4864 896: Qwen2.5-0.5B's
//                                                           gate|up rows at L = 256)
//
// With `int8` only the integer products run, each with its parts timed alone: quantizing the
// input rows (scalar reference and AVX-512) and unpacking every panel (scalar and AVX-512).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/cpu/block_linear.h"
#include "kernels/cpu/ggml_blocks.h"
#include "kernels/cpu/int8_blocks.h"
#include "kernels/cpu/linear.h"

using namespace remask;

namespace {

template <typename F>
double seconds_per_call(F&& f, int repeat) {
    f();
    std::vector<double> times;
    for (int r = 0; r < repeat; ++r) {
        auto start = std::chrono::steady_clock::now();
        f();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// The integer product's preparation timed alone: the input rows quantized (both threads, as in
// the product) and every panel of 32 rows unpacked (one thread: per-thread work in the product).
void print_int8_parts(const Weight& w, const float* x, int64_t m) {
    namespace detail = int8_blocks_detail;
    QuantizedRows rows;
    const bool q8_k = int8_block_type_takes_q8_k(*w.blocks);
    const double q_scalar = seconds_per_call([&] { (q8_k ? quantize_rows_q8_k : quantize_rows_q8)(x, m, w.cols, rows); }, 5);
    const double q_vector = seconds_per_call(
        [&] { (q8_k ? detail::quantize_rows_q8_k_avx512 : detail::quantize_rows_q8_avx512)(x, m, w.cols, rows); }, 5);
    detail::PanelBuffers buffers(w.cols);
    const auto unpack_all = [&](auto unpack_panel) {
        for (int64_t row = 0; row + 32 <= w.rows; row += 32) unpack_panel(w, row, 2, buffers);
    };
    const double u_scalar = seconds_per_call([&] { unpack_all(detail::unpack_panel_reference); }, 3);
    const double u_vector = seconds_per_call([&] { unpack_all(detail::unpack_panel_avx512); }, 3);
    std::printf("        quantize inputs (%s) %6.2f ms scalar, %6.2f ms AVX-512; unpack panels (1 thread) %6.2f ms "
                "scalar, %6.2f ms AVX-512\n",
                q8_k ? "Q8_K" : "Q8_0", q_scalar * 1e3, q_vector * 1e3, u_scalar * 1e3, u_vector * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
    const int64_t m = argc > 3 ? std::atoll(argv[1]) : 256;
    const int64_t n = argc > 3 ? std::atoll(argv[2]) : 4864;
    const int64_t k = argc > 3 ? std::atoll(argv[3]) : 896;
    const bool int8_only = argc > 4 && std::string(argv[4]) == "int8";
    ThreadPool::set_global_threads(2);
    std::mt19937 rng(1);
    std::vector<float> x(m * k), y(m * n);
    for (float& v : x) v = (rng() % 2001) / 1000.0f - 1.0f;
    std::vector<uint16_t> bf16_weights(n * k);
    for (auto& w : bf16_weights) w = f32_to_bf16((rng() % 2001) / 1000.0f - 1.0f);
    const Weight plain{DType::bf16, bf16_weights.data(), n, k};
    const double flop = 2.0 * m * n * k;
    for (ComputeType type : {ComputeType::bf16, ComputeType::f32}) {
        if (int8_only || !compute_type_supported(type)) continue;
        PackedLinear packed = PackedLinear::pack({plain}, {}, type);
        const double s = seconds_per_call([&] { packed.apply(x.data(), m, y.data()); }, 5);
        std::printf("packed %-4s   product %7.2f ms  %6.0f GFLOP/s\n", compute_type_name(type).c_str(), s * 1e3,
                    flop / s * 1e-9);
    }
    if (!int8_only) {  // bf16 weights kept as stored, converted to f32 a tile at a time (resident = the bf16 bytes)
        auto tiles = BlockLinear::make({plain}, {}, ComputeType::f32);
        const double s = seconds_per_call([&] { tiles->apply(x.data(), m, y.data(), false); }, 5);
        std::printf("BF16  -> f32 tiles                     product %7.2f ms  %6.0f GFLOP/s\n", s * 1e3,
                    flop / s * 1e-9);
    }
    for (uint32_t id : {kGgmlQ8_0, kGgmlQ4_K, kGgmlQ6_K, kGgmlQ5_0, kGgmlQ4_0, kGgmlQ5_K}) {
        const GgmlType& t = *ggml_type_by_id(id);
        if (k % t.block_values != 0) continue;  // K-quants need rows of whole 256-value blocks
        std::vector<uint8_t> blocks(n * ggml_row_bytes(t, k));
        for (auto& b : blocks) b = static_cast<uint8_t>(rng());
        // Sane scales: every block's f16 scale fields set to a small normal value.
        for (int64_t i = 0; i < n * k / t.block_values; ++i) {
            uint8_t* b = blocks.data() + i * t.block_bytes;
            const uint16_t s = f32_to_f16(0.01f);
            if (id == kGgmlQ6_K) std::memcpy(b + 208, &s, 2);
            else std::memcpy(b, &s, 2);
            if (id == kGgmlQ4_K || id == kGgmlQ5_K) std::memcpy(b + 2, &s, 2);
        }
        const Weight w{DType::f32, blocks.data(), n, k, &t};
        if (Int8BlockProduct::usable({w})) {
            const Int8BlockProduct integer({w});
            const double s = seconds_per_call([&] { integer.apply(x.data(), m, y.data(), nullptr, false); }, 5);
            std::printf("%-5s -> int8 (VNNI blocks)            product %7.2f ms  %6.0f GFLOP/s\n", t.name, s * 1e3,
                        flop / s * 1e-9);
            if (int8_only) print_int8_parts(w, x.data(), m);
        }
        if (int8_only) continue;
        for (ComputeType type : {ComputeType::bf16, ComputeType::f32}) {
            if (!compute_type_supported(type)) continue;
            auto linear = BlockLinear::make({w}, {}, type);
            std::vector<uint8_t> tile(n * k * 4);
            const double dq = seconds_per_call([&] { linear->dequantize_rows(0, n, tile.data()); }, 3);
            const double s = seconds_per_call([&] { linear->apply(x.data(), m, y.data(), false); }, 5);
            std::printf("%-5s -> %-4s dequantize %6.2f ns/value; product %7.2f ms  %6.0f GFLOP/s\n", t.name,
                        compute_type_name(type).c_str(), dq / (n * k) * 1e9, s * 1e3, flop / s * 1e-9);
        }
    }
}
