// Speed of the engine's kernels at LLaDA-8B / Dream-7B layer sizes.
//   build/release/bench/bench_kernels --benchmark_min_time=0.5

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/linear.h"

namespace {

std::vector<float> random_floats(size_t n) {
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    std::vector<float> v(n);
    for (float& x : v) x = normal(rng);
    return v;
}

// y [M, 4096] = x [M, 4096] · w [4096, 4096]ᵀ with bf16 weights (LLaDA's q_proj), packed
// for each compute type (range 1: 0 f32, 1 bf16, 2 int8).
void BM_Linear(benchmark::State& state) {
    const int64_t m = state.range(0), n = 4096, k = 4096;
    const auto x = random_floats(m * k);
    const auto wf = random_floats(n * k);
    std::vector<uint16_t> w(n * k);
    for (size_t i = 0; i < w.size(); ++i) w[i] = remask::f32_to_bf16(wf[i]);
    std::vector<float> y(m * n);
    const remask::Weight weight{remask::DType::bf16, w.data(), n, k};
    const auto type = static_cast<remask::ComputeType>(state.range(1));
    const auto linear = remask::PackedLinear::pack({weight}, {{}}, type);
    state.SetLabel(remask::compute_type_name(type));
    for (auto _ : state) {
        linear.apply(x.data(), m, y.data());
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(2.0 * m * n * k * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Linear)->ArgsProduct({{1, 64, 256}, {0, 1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();

// Bidirectional attention over L positions, 32 heads of 128 (LLaDA-8B).
void BM_Attention(benchmark::State& state) {
    remask::AttentionShape s;
    s.queries = s.keys = state.range(0);
    s.q_heads = s.kv_heads = 32;
    s.head_dim = 128;
    const int64_t d = 32 * 128;
    const auto q = random_floats(s.queries * d), k = random_floats(s.keys * d), v = random_floats(s.keys * d);
    std::vector<float> out(s.queries * d);
    for (auto _ : state) {
        remask::attention(s, q.data(), d, k.data(), v.data(), d, out.data(), d);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["GFLOP/s"] = benchmark::Counter(4.0 * s.queries * s.keys * d * state.iterations() / 1e9,
                                                   benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Attention)->Arg(256)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
BENCHMARK_MAIN();
