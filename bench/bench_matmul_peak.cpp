// Peak matrix-product GFLOP/s of this machine and of the engine's products at model shapes.
//   build/release/bench/bench_matmul_peak [--json]
//
// 1. A 2048³ product in oneDNN (weights packed) for bf16, f32 and u8·s8, and in OpenBLAS
//    (sgemm; Debian's 0.3.21 has no bf16 gemm): the measurement behind choosing oneDNN.
// 2. PackedLinear (the engine's path, activation conversion included) at the shapes of a
//    Qwen2.5-0.5B-shaped and a LLaDA-1.3B-shaped model, 256 rows, as a share of the peak.

#include <cblas.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/linear.h"
#include "kernels/cpu/onednn.h"

namespace {

using Clock = std::chrono::steady_clock;

// Best of `repeat` runs after one warm-up, in GFLOP/s.
double best_gflops(double flops, int repeat, const std::function<void()>& run) {
    run();
    double best = 1e30;
    for (int i = 0; i < repeat; ++i) {
        const auto start = Clock::now();
        run();
        best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
    }
    return flops / best / 1e9;
}

double onednn_peak(dnnl::memory::data_type src_type, dnnl::memory::data_type weight_type,
                   dnnl::memory::data_type dst_type, int64_t n) {
    using tag = dnnl::memory::format_tag;
    auto& engine = remask::onednn_engine();
    auto& stream = remask::onednn_stream();
    const dnnl::memory::desc src({n, n}, src_type, tag::ab), dst({n, n}, dst_type, tag::ab);
    const dnnl::memory::desc any({n, n}, weight_type, tag::any), plain({n, n}, weight_type, tag::ba);
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, any, dst), engine);
    dnnl::memory a(src, engine), w_plain(plain, engine), w(pd.weights_desc(), engine), c(dst, engine);
    std::memset(a.get_data_handle(), 1, src.get_size());
    std::memset(w_plain.get_data_handle(), 1, plain.get_size());
    dnnl::reorder(w_plain, w).execute(stream, w_plain, w);
    dnnl::matmul product(pd);
    return best_gflops(2.0 * n * n * n, 5, [&] {
        product.execute(stream, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, c}});
        stream.wait();
    });
}

double openblas_sgemm(int n) {
    std::vector<float> a(size_t(n) * n, 1.0f), b(size_t(n) * n, 1.0f), c(size_t(n) * n);
    return best_gflops(2.0 * n * n * n, 3, [&] {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f,
                    c.data(), n);
    });
}

double packed_linear(remask::ComputeType type, int64_t m, int64_t n, int64_t k) {
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    std::vector<uint16_t> w(n * k);
    for (auto& v : w) v = remask::f32_to_bf16(normal(rng));
    std::vector<float> x(m * k), y(m * n);
    for (auto& v : x) v = normal(rng);
    const auto linear = remask::PackedLinear::pack({{remask::DType::bf16, w.data(), n, k}}, {{}}, type);
    return best_gflops(2.0 * m * n * k, 5, [&] { linear.apply(x.data(), m, y.data()); });
}

}  // namespace

int main(int argc, char** argv) {
    const bool json = argc > 1 && std::string(argv[1]) == "--json";
    using dt = dnnl::memory::data_type;
    const double bf16 = remask::compute_type_supported(remask::ComputeType::bf16)
                            ? onednn_peak(dt::bf16, dt::bf16, dt::f32, 2048) : 0.0;
    const double f32 = onednn_peak(dt::f32, dt::f32, dt::f32, 2048);
    const double int8 = onednn_peak(dt::u8, dt::s8, dt::s32, 2048);
    const double blas = openblas_sgemm(2048);
    if (json)
        std::printf("{\"peak_bf16\": %.1f, \"peak_f32\": %.1f, \"peak_int8\": %.1f, \"openblas_sgemm\": %.1f, "
                    "\"threads\": %lld, \"shapes\": [",
                    bf16, f32, int8, blas, static_cast<long long>(remask::engine_threads()));
    else
        std::printf("2048³ products, %lld threads: oneDNN bf16 %.0f, f32 %.0f, u8·s8 %.0f GFLOP/s; OpenBLAS "
                    "sgemm %.0f GFLOP/s\n",
                    static_cast<long long>(remask::engine_threads()), bf16, f32, int8, blas);

    struct Shape {
        const char* name;
        int64_t n, k;
    };
    const Shape shapes[] = {{"qwen0.5b qkv", 1152, 896},     {"qwen0.5b o", 896, 896},
                            {"qwen0.5b gate|up", 9728, 896}, {"qwen0.5b down", 896, 4864},
                            {"qwen0.5b head", 151936, 896},  {"llada1.3b qkv", 6144, 2048},
                            {"llada1.3b gate|up", 11264, 2048}, {"llada1.3b down", 2048, 5632},
                            {"llada1.3b head", 126464, 2048}};
    bool first = true;
    for (const Shape& s : shapes) {
        const double g16 = bf16 > 0 ? packed_linear(remask::ComputeType::bf16, 256, s.n, s.k) : 0.0;
        const double g8 = packed_linear(remask::ComputeType::int8, 256, s.n, s.k);
        if (json)
            std::printf("%s{\"name\": \"%s\", \"m\": 256, \"n\": %lld, \"k\": %lld, \"bf16\": %.1f, \"int8\": %.1f}",
                        first ? "" : ", ", s.name, static_cast<long long>(s.n), static_cast<long long>(s.k), g16, g8);
        else
            std::printf("%-20s 256×%lld×%lld: bf16 %4.0f GFLOP/s (%3.0f%% of peak), int8 %4.0f (%3.0f%%)\n", s.name,
                        static_cast<long long>(s.n), static_cast<long long>(s.k), g16, bf16 > 0 ? 100 * g16 / bf16 : 0,
                        g8, 100 * g8 / int8);
        first = false;
    }
    if (json) std::printf("]}\n");
}
