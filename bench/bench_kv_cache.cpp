// Issue #15's benchmark and drift measurement for the dual KV cache of span infill.
//
//   bench_kv_cache MODEL_DIR speed [--kv-cache dual|none] [--kv-refresh 8] [--threshold 0.9]
//                  [--context 1536] [--prompt 256] [--slots 64] [--candidates 4] [--steps 8]
//                  [--threads 2] [--compute auto|f32|bf16] [--profile 1] [--share-identical 1]
//   bench_kv_cache MODEL_DIR drift [--context 512] [--candidates 2] [--steps 16] ...
//
// The sequence is the optimizer's shape: `context` random tokens (the meta-instruction and
// traces) and a `prompt`-token prompt holding `slots` masked slots in 3 spans.
// speed: after a one-step warm-up fill at the same shape (the optimizer's steady state: the
//   engine's buffers and the kept cache storage already touched), one fill of `steps` steps
//   (schedule = steps, so 64 slots reveal 8 a step at 8 steps); prints one JSON line: seconds per step, full and partial forward times, peak
//   resident memory of the process (run one mode per process) and the cache's bytes; with
//   --profile 1 also the seconds per op of a full and of a partial forward (Model::set_profile).
//   The K candidates start identical, so the first forward computes one of them (as in the
//   optimizer); at temperature 0 they stay identical, so --share-identical 0 times every
//   full forward as for K distinct candidates (the optimizer's later steps at temperature 0.7).
// drift: for kv_refresh 4, 8 and 16, the relative error of the masked rows' logits of every
//   cached step against an exact forward at the same state, and the share of slots filled
//   identically to kv_cache = "none" at temperature 0 (low_confidence).

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
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

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int64_t peak_rss_bytes() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    return 0;
}

struct Args {
    std::string model, mode;
    std::string kv_cache = "dual", compute = "auto";
    int64_t kv_refresh = 8, context = 1536, prompt = 256, slots = 64, candidates = 4, steps = 8;
    double threshold = 0.0;
    bool profile = false, share_identical = true;
};

// Times each kind of forward and, in drift mode, compares every partial forward's logits
// with an exact forward of the same tokens.
class MeasuredSource : public remask::LogitsSource {
public:
    MeasuredSource(remask::Model& model, bool drift, bool profile = false)
        : inner_(model), model_(model), drift_(drift), profile_(profile) {}
    int64_t vocab_size() const override { return inner_.vocab_size(); }
    int64_t forward_passes() const override { return inner_.forward_passes(); }
    bool has_kv_cache() const override { return inner_.has_kv_cache(); }
    void release_kv_cache() override {
        peak_cache_bytes = std::max(peak_cache_bytes, inner_.peak_kv_cache_bytes());
        inner_.release_kv_cache();
    }
    void logits(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                std::vector<float>& out) override {
        if (profile_) model_.set_profile(&full_profile);
        const auto start = Clock::now();
        inner_.logits(tokens, rows, out);
        full_seconds += seconds_since(start);
        model_.set_profile(nullptr);
        ++full;
    }
    void logits_refresh(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                        std::vector<float>& out) override {
        if (profile_) model_.set_profile(&full_profile);
        const auto start = Clock::now();
        inner_.logits_refresh(tokens, rows, out);
        full_seconds += seconds_since(start);
        model_.set_profile(nullptr);
        ++full;
    }
    void logits_partial(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& active,
                        const std::vector<int64_t>& rows, std::vector<float>& out) override {
        if (profile_) model_.set_profile(&partial_profile);
        const auto start = Clock::now();
        inner_.logits_partial(tokens, active, rows, out);
        partial_seconds += seconds_since(start);
        model_.set_profile(nullptr);
        ++partial;
        if (!drift_) return;
        std::vector<float> exact;
        model_.forward(tokens, rows, exact);
        double diff = 0, norm = 0;
        for (size_t i = 0; i < exact.size(); ++i) {
            diff += (double(out[i]) - exact[i]) * (double(out[i]) - exact[i]);
            norm += double(exact[i]) * exact[i];
        }
        errors.push_back(std::sqrt(diff / norm));
    }
    double full_seconds = 0, partial_seconds = 0;
    int64_t full = 0, partial = 0, peak_cache_bytes = 0;
    std::vector<double> errors;
    remask::ForwardProfile full_profile, partial_profile;

private:
    remask::ModelLogitsSource inner_;
    remask::Model& model_;
    bool drift_, profile_;
};

// {"qkv": s, ..., "other": s} per forward: the ops' seconds, and the rest of the forwards'
// wall time (embedding, row gathers, logits copies).
std::string profile_json(const remask::ForwardProfile& p, int64_t forwards, double wall_seconds) {
    std::string out = "{";
    double sum = 0;
    char buffer[64];
    for (int op = 0; op < remask::ForwardProfile::count; ++op) {
        sum += p.seconds[op];
        std::snprintf(buffer, sizeof buffer, "\"%s\": %.4f, ", remask::ForwardProfile::name(op),
                      p.seconds[op] / double(std::max<int64_t>(forwards, 1)));
        out += buffer;
    }
    std::snprintf(buffer, sizeof buffer, "\"other\": %.4f}", (wall_seconds - sum) / double(std::max<int64_t>(forwards, 1)));
    return out + buffer;
}

std::vector<int32_t> optimizer_shape(const Args& a, const remask::Model& model) {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int32_t> id(0, static_cast<int32_t>(std::min<int64_t>(model.vocab_size(), 120000) - 2));
    const int32_t mask = static_cast<int32_t>(model.config().mask_token_id);
    std::vector<int32_t> tokens(a.context + a.prompt);
    for (int32_t& t : tokens) {
        t = id(rng);
        if (t == mask) ++t;
    }
    // 3 spans spread over the prompt: slots split as evenly as they go.
    for (int64_t s = 0; s < 3; ++s) {
        const int64_t n = a.slots / 3 + (s < a.slots % 3 ? 1 : 0);
        const int64_t begin = a.context + (s + 1) * a.prompt / 4 - n / 2;
        for (int64_t i = 0; i < n; ++i) tokens[begin + i] = mask;
    }
    return tokens;
}

remask::DenoiseResult fill(MeasuredSource& source, const Args& a, const std::string& kv_cache, int64_t refresh,
                           std::vector<std::vector<int32_t>>& batch, int32_t mask) {
    remask::SamplingOptions sampling;
    sampling.sampler = "low_confidence";
    sampling.steps = a.steps;
    sampling.threshold = a.threshold;
    sampling.temperature = 0.0;
    auto sampler = remask::make_sampler(sampling);
    remask::DenoiseOptions options;
    options.mask_id = mask;
    options.seed = 1;
    options.pool = &remask::ThreadPool::global();
    options.dual_kv_cache = kv_cache == "dual";
    options.kv_refresh = refresh;
    return remask::denoise(source, *sampler, batch, options);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_kv_cache MODEL_DIR speed|drift [options] (see the file's header)\n");
        return 2;
    }
    Args a;
    a.model = argv[1];
    a.mode = argv[2];
    if (a.mode == "drift") a.context = 512, a.candidates = 2, a.steps = 16;
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string key = argv[i], value = argv[i + 1];
        if (key == "--kv-cache") a.kv_cache = value;
        else if (key == "--kv-refresh") a.kv_refresh = std::stoll(value);
        else if (key == "--threshold") a.threshold = std::stod(value);
        else if (key == "--context") a.context = std::stoll(value);
        else if (key == "--prompt") a.prompt = std::stoll(value);
        else if (key == "--slots") a.slots = std::stoll(value);
        else if (key == "--candidates") a.candidates = std::stoll(value);
        else if (key == "--steps") a.steps = std::stoll(value);
        else if (key == "--compute") a.compute = value;
        else if (key == "--profile") a.profile = value == "1";
        else if (key == "--share-identical") a.share_identical = value == "1";
        else if (key == "--threads") remask::ThreadPool::set_global_threads(std::stoul(value));
        else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    remask::LoadOptions load;
    load.compute = a.compute;
    auto model = remask::Model::load(a.model, load);
    model->set_share_identical_sequences(a.share_identical);
    const int32_t mask = static_cast<int32_t>(model->config().mask_token_id);
    const std::vector<int32_t> input = optimizer_shape(a, *model);
    const std::string compute = remask::compute_type_name(model->compute_type());

    if (a.mode == "speed") {
        {  // a one-step fill at the same shape: primitives made, pages touched, as in the
           // optimizer's second and later proposals
            Args once = a;
            once.steps = 1;
            std::vector<std::vector<int32_t>> warm(a.candidates, input);
            MeasuredSource warm_source(*model, false);
            fill(warm_source, once, a.kv_cache, a.kv_refresh, warm, mask);
        }
        std::vector<std::vector<int32_t>> batch(a.candidates, input);
        MeasuredSource source(*model, false, a.profile);
        const auto start = Clock::now();
        const remask::DenoiseResult result = fill(source, a, a.kv_cache, a.kv_refresh, batch, mask);
        const double total = seconds_since(start);
        std::string profile;
        if (a.profile)
            profile = ", \"full_profile\": " + profile_json(source.full_profile, source.full, source.full_seconds) +
                      ", \"partial_profile\": " +
                      profile_json(source.partial_profile, source.partial, source.partial_seconds);
        std::printf("{\"model\": \"%s\", \"compute\": \"%s\", \"kv_cache\": \"%s\", \"kv_refresh\": %lld, "
                    "\"threshold\": %.2f, \"tokens\": %lld, \"candidates\": %lld, \"steps\": %lld, "
                    "\"seconds\": %.3f, \"seconds_per_step\": %.4f, \"full_forwards\": %lld, "
                    "\"full_seconds_each\": %.4f, \"partial_forwards\": %lld, \"partial_seconds_each\": %.4f, "
                    "\"peak_rss_bytes\": %lld, \"kv_cache_bytes\": %lld%s}\n",
                    a.model.c_str(), compute.c_str(), a.kv_cache.c_str(), static_cast<long long>(a.kv_refresh),
                    a.threshold, static_cast<long long>(input.size()), static_cast<long long>(a.candidates),
                    static_cast<long long>(result.steps), total, total / double(result.steps),
                    static_cast<long long>(source.full), source.full ? source.full_seconds / double(source.full) : 0.0,
                    static_cast<long long>(source.partial),
                    source.partial ? source.partial_seconds / double(source.partial) : 0.0,
                    static_cast<long long>(peak_rss_bytes()), static_cast<long long>(source.peak_cache_bytes),
                    profile.c_str());
        return 0;
    }

    // drift
    std::vector<std::vector<int32_t>> exact(a.candidates, input);
    MeasuredSource none_source(*model, false);
    fill(none_source, a, "none", 1, exact, mask);
    for (int64_t refresh : {4, 8, 16}) {
        std::vector<std::vector<int32_t>> batch(a.candidates, input);
        MeasuredSource source(*model, true);
        fill(source, a, "dual", refresh, batch, mask);
        int64_t same = 0, slots = 0;
        for (size_t b = 0; b < batch.size(); ++b)
            for (size_t p = 0; p < input.size(); ++p)
                if (input[p] == mask) {
                    ++slots;
                    same += batch[b][p] == exact[b][p];
                }
        double mean = 0, worst = 0;
        for (double e : source.errors) {
            mean += e;
            worst = std::max(worst, e);
        }
        mean /= std::max<size_t>(1, source.errors.size());
        std::printf("{\"model\": \"%s\", \"compute\": \"%s\", \"kv_refresh\": %lld, \"tokens\": %lld, "
                    "\"steps\": %lld, \"cached_steps\": %zu, \"mean_rel_error\": %.3g, \"max_rel_error\": %.3g, "
                    "\"identical_fill_share\": %.4f, \"errors\": [",
                    a.model.c_str(), compute.c_str(), static_cast<long long>(refresh),
                    static_cast<long long>(input.size()), static_cast<long long>(a.steps), source.errors.size(), mean,
                    worst, double(same) / double(slots));
        for (size_t i = 0; i < source.errors.size(); ++i) std::printf("%s%.3g", i ? ", " : "", source.errors[i]);
        std::printf("]}\n");
        std::fflush(stdout);
    }
}
