// Issue #5's sampler benchmark: a 32-step infill of 64 masked slots after a 512-token
// context, K = 1 and K = 4 candidates, on a real-shape model, with the share of time in the
// forward pass and the step count of threshold mode.
//
//   build/release/bench/bench_infill_loop MODEL_DIR [--threads T] [--json]
//
// MODEL_DIR: e.g. build/bench-models/qwen2.5-0.5b (scripts/make_bench_model.py).
// bench/engine/run_infill_bench.py runs it beside the PyTorch loop of torch_infill_loop.py.

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "diffusion/denoise.h"
#include "diffusion/sampler_factory.h"
#include "model/model.h"
#include "model/model_logits_source.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Times every forward pass of the wrapped source.
class TimedSource : public remask::LogitsSource {
public:
    explicit TimedSource(remask::LogitsSource& inner) : inner_(inner) {}
    int64_t vocab_size() const override { return inner_.vocab_size(); }
    int64_t forward_passes() const override { return inner_.forward_passes(); }
    void logits(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                std::vector<float>& out) override {
        const auto start = Clock::now();
        inner_.logits(tokens, rows, out);
        forward_seconds += seconds_since(start);
        rows_requested += static_cast<int64_t>(rows.size());
    }
    double forward_seconds = 0;
    int64_t rows_requested = 0;

private:
    remask::LogitsSource& inner_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: bench_infill_loop MODEL_DIR [--threads T] [--json]\n");
        return 2;
    }
    bool json = false;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--json") json = true;
        if (arg == "--threads" && i + 1 < argc) remask::ThreadPool::set_global_threads(std::stoul(argv[++i]));
    }
    auto model = remask::Model::load(argv[1]);
    const int32_t mask = static_cast<int32_t>(model->config().mask_token_id);
    remask::ModelLogitsSource model_source(*model);

    constexpr int64_t kContext = 512, kSlots = 64, kSteps = 32;
    std::mt19937 rng(42);
    std::uniform_int_distribution<int32_t> id(0, 150000);
    std::vector<int32_t> input(kContext);
    for (int32_t& t : input) t = id(rng);
    input.insert(input.end(), kSlots, mask);

    struct Case {
        const char* name;
        int64_t candidates;
        double threshold;
    };
    for (const Case c : {Case{"K1", 1, 0.0}, Case{"K4", 4, 0.0}, Case{"K4_threshold0.9", 4, 0.9}}) {
        remask::SamplingOptions sampling;
        sampling.sampler = "low_confidence";
        sampling.steps = kSteps;
        sampling.threshold = c.threshold;
        auto sampler = remask::make_sampler(sampling);
        remask::DenoiseOptions options;
        options.mask_id = mask;
        options.seed = 1;
        options.pool = &remask::ThreadPool::global();
        std::vector<std::vector<int32_t>> batch(c.candidates, input);
        TimedSource source(model_source);
        const auto start = Clock::now();
        const remask::DenoiseResult result = remask::denoise(source, *sampler, batch, options);
        const double total = seconds_since(start);
        if (json)
            std::printf("{\"case\": \"%s\", \"candidates\": %lld, \"threshold\": %.2f, \"steps\": %lld, "
                        "\"seconds\": %.3f, \"forward_seconds\": %.3f, \"rows_requested\": %lld}\n",
                        c.name, static_cast<long long>(c.candidates), c.threshold,
                        static_cast<long long>(result.steps), total, source.forward_seconds,
                        static_cast<long long>(source.rows_requested));
        else
            std::printf("%-16s %lld steps, %.2f s (%.0f%% in the forward pass), %lld rows of logits per candidate\n",
                        c.name, static_cast<long long>(result.steps), total, 100 * source.forward_seconds / total,
                        static_cast<long long>(source.rows_requested));
        std::fflush(stdout);
    }
}
