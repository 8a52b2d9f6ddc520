// `remask bench`: milliseconds per forward and GFLOP/s of a model on this machine, to tune
// threads and quantization (INTERFACES.md). Loading and weight packing are not timed.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/onednn.h"
#include "model/model.h"

namespace remask::cli {
namespace {

struct BenchArgs {
    std::string model_dir;
    int64_t length = 0;
    int64_t rows = 0;  // 0 = every position
    int64_t batch = 1;
    int64_t repeat = 5;
    int64_t threads = 0;
    LoadOptions load;
    bool json = false;
};

void run_bench_command(const BenchArgs& a) {
    if (a.threads > 0) ThreadPool::set_global_threads(static_cast<size_t>(a.threads));
    auto model = Model::load(a.model_dir, a.load);
    const int64_t rows = a.rows > 0 ? a.rows : a.length;
    if (rows > a.length) throw UsageError("--rows", "must be at most --length (" + std::to_string(a.length) + ")");

    // Random ids (fixed seed) and the last `rows` positions, as the masked tail of an infill.
    std::mt19937 rng(1234);
    std::uniform_int_distribution<int32_t> id(0, static_cast<int32_t>(model->vocab_size() - 1));
    std::vector<std::vector<int32_t>> tokens(a.batch, std::vector<int32_t>(a.length));
    for (auto& sequence : tokens)
        for (int32_t& t : sequence) t = id(rng);
    std::vector<int64_t> wanted;
    if (a.rows > 0)
        for (int64_t r = a.length - rows; r < a.length; ++r) wanted.push_back(r);

    std::vector<float> logits;
    model->forward(tokens, wanted, logits);  // warm-up: primitives made, pages touched
    std::vector<double> ms;
    for (int64_t i = 0; i < a.repeat; ++i) {
        const auto start = std::chrono::steady_clock::now();
        model->forward(tokens, wanted, logits);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    const double gflops = model->forward_flops(a.batch, a.length, rows) / (median * 1e6);
    if (a.json) {
        const nlohmann::json j = {{"model", a.model_dir}, {"length", a.length},   {"rows", rows},
                                  {"batch", a.batch},     {"median_ms", median},  {"min_ms", ms.front()},
                                  {"max_ms", ms.back()},  {"gflops", gflops}};
        std::printf("%s\n", j.dump().c_str());
        return;
    }
    const int64_t threads = engine_threads();
    std::printf("%s: %lld × %lld tokens, logits for %lld rows each; %s compute (%s), %lld thread%s\n",
                a.model_dir.c_str(), static_cast<long long>(a.batch), static_cast<long long>(a.length),
                static_cast<long long>(rows), compute_type_name(model->compute_type()).c_str(),
                isa_name(active_isa()).c_str(), static_cast<long long>(threads), threads == 1 ? "" : "s");
    const ComputeCalibration& cal = model->compute_calibration();
    if (cal.measured)
        std::printf("compute chosen by calibration%s: probe f32 %.1f ms (%.0f GFLOP/s), bf16 %.1f ms (%.0f GFLOP/s)\n",
                    cal.from_file ? " (cached)" : "", cal.f32_ms, cal.f32_gflops, cal.bf16_ms, cal.bf16_gflops);
    // A mixture of experts counts the products each token runs: router and top-k experts.
    const char* counted = model->config().num_experts > 0 ? " (active parameters)" : "";
    std::printf("median %.1f ms per forward (min %.1f, max %.1f over %lld), %.1f GFLOP/s%s\n", median, ms.front(),
                ms.back(), static_cast<long long>(ms.size()), gflops, counted);
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto args = std::make_shared<BenchArgs>();
    auto* cmd = app.add_subcommand("bench", "Time forwards of a model: median ms and GFLOP/s");
    cmd->add_option("--model", args->model_dir, "Model folder (config.json + safetensors) or .gguf file")->required();
    cmd->add_option("--length", args->length, "Tokens per sequence")->required()->check(CLI::PositiveNumber);
    cmd->add_option("--rows", args->rows, "Rows with logits per sequence (the last R), default all")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--batch", args->batch, "Sequences per forward (default 1)")->check(CLI::PositiveNumber);
    cmd->add_option("--repeat", args->repeat, "Timed forwards after one warm-up (default 5)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--threads", args->threads, "Worker threads, 0 = all cores");
    cmd->add_option("--quant", args->load.quant, "none | int8 (weights quantized at load)")
        ->check(CLI::IsMember({"none", "int8"}));
    cmd->add_option("--compute", args->load.compute, "auto (fastest measured here) | f32 | bf16")
        ->check(CLI::IsMember({"auto", "f32", "bf16"}));
    cmd->add_flag("--json", args->json, "Print one JSON object");
    cmd->callback([args] { run_bench_command(*args); });
}

}  // namespace remask::cli
