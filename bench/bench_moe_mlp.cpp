// The mixture-of-experts MLP against a dense MLP with the same active parameters, at the
// scaled LLaDA-MoE shape of bench/README.md (d 512, 64 experts of width 256, top-8 vs a
// dense FFN of 2048), bf16 compute, for M rows (range 0).
//   build/release/bench/bench_moe_mlp --benchmark_min_time=1

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "kernels/cpu/linear.h"
#include "kernels/cpu/vector_kernels.h"
#include "model/moe_mlp.h"

namespace {

constexpr int64_t kHidden = 512, kExperts = 64, kTopK = 8, kExpertWidth = 256;

struct Matrices {
    std::vector<std::vector<uint16_t>> storage;
    std::mt19937 rng{3};
    remask::Weight make(int64_t rows, int64_t cols) {
        std::normal_distribution<float> normal(0.0f, 1.0f / std::sqrt(float(cols)));
        storage.emplace_back(rows * cols);
        for (uint16_t& v : storage.back()) v = remask::f32_to_bf16(normal(rng));
        return {remask::DType::bf16, storage.back().data(), rows, cols};
    }
};

std::vector<float> random_rows(int64_t m) {
    std::mt19937 rng(1);
    std::normal_distribution<float> normal;
    std::vector<float> v(m * kHidden);
    for (float& x : v) x = normal(rng);
    return v;
}

void BM_MoeMlp(benchmark::State& state) {
    const int64_t m = state.range(0);
    Matrices mats;
    mats.storage.reserve(1 + 3 * kExperts);
    remask::LayerWeights w;
    w.router = mats.make(kExperts, kHidden);
    for (int64_t e = 0; e < kExperts; ++e) {
        w.expert_gate.push_back(mats.make(kExpertWidth, kHidden));
        w.expert_up.push_back(mats.make(kExpertWidth, kHidden));
        w.expert_down.push_back(mats.make(kHidden, kExpertWidth));
    }
    remask::ModelConfig c;
    c.hidden_size = kHidden;
    c.ffn_size = kExpertWidth;
    c.num_experts = kExperts;
    c.experts_per_token = kTopK;
    const auto moe = remask::MoeMlp::pack(w, c, remask::ComputeType::bf16);
    const auto h = random_rows(m);
    std::vector<float> x(m * kHidden);
    remask::MoeScratch scratch;
    for (auto _ : state) {
        moe.apply(h.data(), m, x.data(), scratch);
        benchmark::DoNotOptimize(x.data());
    }
    state.counters["active GFLOP/s"] =
        benchmark::Counter(2.0 * m * (kHidden * kExperts + kTopK * 3 * kHidden * kExpertWidth) *
                               state.iterations() / 1e9,
                           benchmark::Counter::kIsRate);
}

void BM_DenseSameActive(benchmark::State& state) {
    const int64_t m = state.range(0), f = kTopK * kExpertWidth;
    Matrices mats;
    mats.storage.reserve(3);
    const auto gate = mats.make(f, kHidden), up = mats.make(f, kHidden),
               down = mats.make(kHidden, f);
    const auto gate_up = remask::PackedLinear::pack({gate, up}, {}, remask::ComputeType::bf16);
    const auto down_packed = remask::PackedLinear::pack({down}, {}, remask::ComputeType::bf16);
    const auto h = random_rows(m);
    std::vector<float> x(m * kHidden), gu(m * 2 * f), act(m * f);
    for (auto _ : state) {
        gate_up.apply(h.data(), m, gu.data());
        const remask::VectorKernels& kernels = remask::vector_kernels();
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < m; ++i)
            kernels.silu_mul(&gu[i * 2 * f], &gu[i * 2 * f + f], f, &act[i * f]);
        down_packed.apply(act.data(), m, x.data(), true);
        benchmark::DoNotOptimize(x.data());
    }
    state.counters["active GFLOP/s"] = benchmark::Counter(
        2.0 * m * 3 * kHidden * f * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_MoeMlp)->Arg(64)->Arg(512)->Arg(1792)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DenseSameActive)->Arg(64)->Arg(512)->Arg(1792)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
