// The dual KV cache in the denoising loop: when denoise() refreshes and what the partial
// forwards compute (a recording fake), and, on the model fixtures, that kv_refresh = 1
// fills exactly as kv_cache = "none" for every sampler.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "diffusion/denoise.h"
#include "diffusion/sampler_factory.h"
#include "fake_sources.h"
#include "model/model.h"
#include "model/model_logits_source.h"

namespace remask {
namespace {

// Scripted logits (position p prefers token p % 7 + 1), recording each call's kind and
// active rows.
class RecordingCacheSource : public LogitsSource {
public:
    struct Call {
        std::string kind;  // "full", "refresh", "partial"
        std::vector<int64_t> active, rows;
    };
    int64_t vocab_size() const override { return 16; }
    int64_t forward_passes() const override { return static_cast<int64_t>(calls.size()); }
    bool has_kv_cache() const override { return true; }
    void logits(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                std::vector<float>& out) override {
        record("full", {}, tokens, rows, out);
    }
    void logits_refresh(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                        std::vector<float>& out) override {
        record("refresh", {}, tokens, rows, out);
    }
    void logits_partial(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& active,
                        const std::vector<int64_t>& rows, std::vector<float>& out) override {
        record("partial", active, tokens, rows, out);
    }
    void release_kv_cache() override { ++releases; }
    std::vector<Call> calls;
    int releases = 0;

private:
    void record(const char* kind, const std::vector<int64_t>& active, const std::vector<std::vector<int32_t>>& tokens,
                const std::vector<int64_t>& rows, std::vector<float>& out) {
        calls.push_back({kind, active, rows});
        out.assign(tokens.size() * rows.size() * 16, 0.0f);
        for (size_t b = 0; b < tokens.size(); ++b)
            for (size_t r = 0; r < rows.size(); ++r) out[(b * rows.size() + r) * 16 + rows[r] % 7 + 1] = 5.0f;
    }
};

constexpr int32_t kCacheMask = 15;

std::vector<std::vector<int32_t>> masked_tokens() {
    std::vector<int32_t> row(20, 3);
    for (int64_t p = 4; p < 12; ++p) row[p] = kCacheMask;
    return {row, row};
}

DenoiseResult run(RecordingCacheSource& source, int64_t steps, int64_t block_length, bool dual, int64_t refresh) {
    SamplingOptions sampling;
    sampling.steps = steps;
    sampling.block_length = block_length;
    auto sampler = make_sampler(sampling);
    DenoiseOptions options;
    options.mask_id = kCacheMask;
    options.dual_kv_cache = dual;
    options.kv_refresh = refresh;
    auto tokens = masked_tokens();
    return denoise(source, *sampler, tokens, options);
}

TEST(DenoiseKvCache, RefreshesEveryKvRefreshStepsAndComputesTheSlotsBetween) {
    RecordingCacheSource source;
    const DenoiseResult result = run(source, 8, 0, true, 3);
    ASSERT_EQ(source.calls.size(), 8u);
    const std::vector<std::string> kinds = {"refresh", "partial", "partial", "refresh",
                                            "partial", "partial", "refresh", "partial"};
    std::vector<int64_t> refreshed_rows;
    for (size_t i = 0; i < kinds.size(); ++i) {
        const auto& call = source.calls[i];
        EXPECT_EQ(call.kind, kinds[i]) << "step " << i;
        EXPECT_EQ(call.rows.size(), 8 - i) << "step " << i;  // one slot revealed a step
        if (call.kind == "refresh") refreshed_rows = call.rows;
        if (call.kind != "partial") continue;
        // The active set is what was masked at the refresh; the rows are still masked in it.
        EXPECT_EQ(call.active, refreshed_rows) << "step " << i;
        for (int64_t r : call.rows)
            EXPECT_TRUE(std::binary_search(call.active.begin(), call.active.end(), r)) << "step " << i;
    }
    EXPECT_EQ(result.steps, 8);
    EXPECT_EQ(result.full_forwards, 3);
    EXPECT_EQ(source.releases, 1);
}

TEST(DenoiseKvCache, EveryBlockStartsWithAFullForward) {
    // Two blocks of 4 slots, 2 steps each: a step asking for the next block refreshes.
    RecordingCacheSource source;
    run(source, 4, 4, true, 100);
    ASSERT_EQ(source.calls.size(), 4u);
    EXPECT_EQ(source.calls[0].kind, "refresh");
    EXPECT_EQ(source.calls[1].kind, "partial");
    EXPECT_EQ(source.calls[1].active, (std::vector<int64_t>{4, 5, 6, 7}));
    EXPECT_EQ(source.calls[2].kind, "refresh");
    EXPECT_EQ(source.calls[3].kind, "partial");
    EXPECT_EQ(source.calls[3].active, (std::vector<int64_t>{8, 9, 10, 11}));
}

TEST(DenoiseKvCache, NoneAndSourcesWithoutACacheRunFullForwards) {
    RecordingCacheSource source;
    const DenoiseResult result = run(source, 8, 0, false, 3);
    for (const auto& call : source.calls) EXPECT_EQ(call.kind, "full");
    EXPECT_EQ(result.full_forwards, 8);
    EXPECT_EQ(source.releases, 0);
    RecordingCacheSource bad;
    EXPECT_THROW(run(bad, 8, 0, true, 0), InputError);
}

TEST(DenoiseKvCache, SamplingOptionsAreChecked) {
    SamplingOptions sampling;
    sampling.kv_cache = "triple";
    EXPECT_THROW(make_sampler(sampling), UsageError);
    sampling.kv_cache = "none";
    sampling.kv_refresh = 0;
    EXPECT_THROW(make_sampler(sampling), UsageError);
}

// --- On the model fixtures -----------------------------------------------------------

std::string fixture(const std::string& name) { return std::string(REMASK_BINARY_DIR) + "/fixtures/" + name; }

struct SamplerCase {
    const char* fixture;
    const char* sampler;
    int64_t block_length;
    double threshold;
    double cfg;
};

class KvRefreshOneTest : public ::testing::TestWithParam<SamplerCase> {};

std::vector<std::vector<int32_t>> fill(Model& model, const SamplerCase& c, const std::string& kv_cache,
                                       int64_t refresh, DenoiseResult* result = nullptr) {
    const int32_t mask = static_cast<int32_t>(model.config().mask_token_id);
    std::vector<int32_t> row;
    for (int32_t i = 0; i < 28; ++i) row.push_back((i * 37 + 11) % 400);
    for (int64_t p : {6, 7, 8, 9, 14, 15, 20, 21, 22, 23, 24, 25}) row[p] = mask;
    std::vector<std::vector<int32_t>> tokens = {row, row};
    SamplingOptions sampling;
    sampling.sampler = c.sampler;
    sampling.steps = 6;
    sampling.block_length = c.block_length;
    sampling.threshold = c.threshold;
    sampling.temperature = 0.8;
    sampling.kv_cache = kv_cache;
    sampling.kv_refresh = refresh;
    auto sampler = make_sampler(sampling);
    DenoiseOptions options;
    options.mask_id = mask;
    options.seed = 5;
    options.cfg_scale = c.cfg;
    options.dual_kv_cache = kv_cache == "dual";
    options.kv_refresh = refresh;
    ModelLogitsSource source(model);
    DenoiseResult r = denoise(source, *sampler, tokens, options);
    if (result) *result = r;
    return tokens;
}

TEST_P(KvRefreshOneTest, FillsExactlyAsNoCache) {
    auto model = Model::load(fixture(GetParam().fixture));
    const auto none = fill(*model, GetParam(), "none", 8);
    DenoiseResult every_step;
    const auto refreshed = fill(*model, GetParam(), "dual", 1, &every_step);
    EXPECT_EQ(none, refreshed);
    EXPECT_EQ(every_step.full_forwards, every_step.steps);
    // And the cached run really reuses the cache, and still fills every slot.
    DenoiseResult cached;
    const auto approximate = fill(*model, GetParam(), "dual", 4, &cached);
    EXPECT_LT(cached.full_forwards, cached.steps);
    for (const auto& row : approximate)
        for (int32_t id : row) EXPECT_NE(id, model->config().mask_token_id);
}

INSTANTIATE_TEST_SUITE_P(
    Samplers, KvRefreshOneTest,
    ::testing::Values(SamplerCase{"llada-tiny", "low_confidence", 0, 0.0, 0.0},
                    SamplerCase{"llada-tiny", "low_confidence", 14, 0.0, 0.0},  // 2 blocks
                    SamplerCase{"llada-tiny", "random", 0, 0.0, 0.0},
                    SamplerCase{"llada-tiny", "low_confidence", 0, 0.0, 1.5},   // guidance
                    SamplerCase{"llada-tiny", "low_confidence", 0, 0.3, 0.0},   // threshold
                    SamplerCase{"llada-tiny-bf16", "low_confidence", 0, 0.0, 0.0},
                    SamplerCase{"llada-variant-tiny", "low_confidence", 0, 0.0, 0.0},
                    SamplerCase{"dream-tiny", "origin", 0, 0.0, 0.0},
                    SamplerCase{"dream-tiny", "maskgit_plus", 0, 0.0, 0.0},
                    SamplerCase{"dream-tiny", "topk_margin", 0, 0.0, 0.0},
                    SamplerCase{"dream-tiny", "entropy", 0, 0.0, 0.0},
                    SamplerCase{"dream-tiny-bf16", "entropy", 0, 0.0, 0.0}),
    [](const ::testing::TestParamInfo<SamplerCase>& info) {
        std::string name = std::string(info.param.fixture) + "_" + info.param.sampler + "_" +
                           std::to_string(info.index);
        for (char& ch : name)
            if (ch == '-') ch = '_';
        return name;
    });

}  // namespace
}  // namespace remask
