// What the samplers cost on top of the model: one full denoise of 64 masked slots after a
// 512-token context with LLaDA's vocabulary (126464), logits from a table (a memcpy stands
// in for the forward pass), K = 1 and 4 candidates, 32 steps.
//
//   build/release/bench/bench_sampler_overhead --benchmark_min_time=0
//
// Time and CPU are per full denoise (sampler work + the logits copy); `steps` counts the
// steps taken, so per-step cost = time / steps.
#include <benchmark/benchmark.h>

#include <cstring>

#include "core/thread_pool.h"
#include "diffusion/denoise.h"
#include "diffusion/rng.h"
#include "diffusion/sampler_factory.h"

namespace remask {
namespace {

constexpr int64_t kVocab = 126464;
constexpr int64_t kContext = 512;
constexpr int64_t kSlots = 64;
constexpr int32_t kMask = 126336;

// Logits of 64 distinct rows, reused by position (p % 64).
class TableSource : public LogitsSource {
public:
    TableSource() : table_(size_t(kSlots * kVocab)) {
        RandomStream rng(1);
        for (float& v : table_) v = float(rng.uniform() * 8.0 - 4.0);
        for (int64_t r = 0; r < kSlots; ++r) table_[size_t(r * kVocab + r * 7)] = 6.0f + float(r % 5);
    }
    int64_t vocab_size() const override { return kVocab; }
    int64_t forward_passes() const override { return calls_; }
    void logits(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                std::vector<float>& out) override {
        ++calls_;
        out.resize(tokens.size() * rows.size() * size_t(kVocab));
        float* o = out.data();
        for (size_t b = 0; b < tokens.size(); ++b) {
            for (int64_t r : rows) {
                std::memcpy(o, table_.data() + (r % kSlots) * kVocab, sizeof(float) * size_t(kVocab));
                o += kVocab;
            }
        }
    }

private:
    std::vector<float> table_;
    int64_t calls_ = 0;
};

void run(benchmark::State& state, SamplingOptions sampling) {
    const int64_t k = state.range(0);
    TableSource source;
    std::vector<int32_t> input(size_t(kContext), 11);
    input.insert(input.end(), size_t(kSlots), kMask);
    ThreadPool& pool = ThreadPool::global();
    int64_t steps = 0;
    for (auto _ : state) {
        std::vector<std::vector<int32_t>> batch(size_t(k), input);
        auto sampler = make_sampler(sampling);
        DenoiseOptions o;
        o.mask_id = kMask;
        o.seed = 1;
        o.pool = &pool;
        steps = denoise(source, *sampler, batch, o).steps;
        benchmark::DoNotOptimize(batch);
    }
    state.counters["steps"] = double(steps);  // per step: the Time / CPU columns divided by this
}

SamplingOptions options(std::string sampler, double temperature, double threshold = 0.0, double top_p = 1.0) {
    SamplingOptions o;
    o.sampler = std::move(sampler);
    o.steps = 32;
    o.temperature = temperature;
    o.threshold = threshold;
    o.top_p = top_p;
    return o;
}

BENCHMARK_CAPTURE(run, low_confidence_greedy, options("low_confidence", 0.0))->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, low_confidence_t07, options("low_confidence", 0.7))->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, threshold_09, options("low_confidence", 0.0, 0.9))->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, entropy_greedy, options("entropy", 0.0))->Arg(1)->Arg(4)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(run, maskgit_top_p09_t07, options("maskgit_plus", 0.7, 0.0, 0.9))->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace remask

BENCHMARK_MAIN();
