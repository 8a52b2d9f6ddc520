#include "diffusion/llada_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/error.h"
#include "core/thread_pool.h"
#include "diffusion/denoise.h"
#include "diffusion/token_scoring.h"
#include "fake_sources.h"

namespace remask {
namespace {

using testing::ScriptedSource;
constexpr int32_t kLladaMask = 99;
constexpr int64_t kLladaVocab = 8;

// Every masked position p predicts token (p % 5) + 1 with confidence rising with `rank[p]`.
ScriptedSource ranked_source(std::map<int64_t, float> rank) {
    return ScriptedSource(kLladaVocab, [rank](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        auto it = rank.find(p);
        const float height = it == rank.end() ? 1.0f : it->second;
        out[(p % 5) + 1] = height;
    });
}

std::vector<int32_t> prompt_plus_masks(int64_t prompt, int64_t masks) {
    std::vector<int32_t> x;
    for (int64_t i = 0; i < prompt; ++i) x.push_back(int32_t(i % 7));
    x.insert(x.end(), size_t(masks), kLladaMask);
    return x;
}

DenoiseOptions options_with_trace() {
    DenoiseOptions o;
    o.mask_id = kLladaMask;
    o.record_trace = true;
    return o;
}

TEST(LladaSampler, RevealCountsPerStepAndBlockFollowTheReference) {
    // 3 prompt tokens + 10 slots, block 5 -> 2 blocks, 6 steps -> 3 per block:
    // 5 masks over 3 steps = 2, 2, 1 in each block.
    ScriptedSource source = ranked_source({});
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(3, 10)};
    LladaSampler sampler(LladaRemasking::low_confidence, 6, 5, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, options_with_trace());
    ASSERT_EQ(r.trace.size(), 6u);
    const std::vector<size_t> counts = {2, 2, 1, 2, 2, 1};
    for (size_t s = 0; s < 6; ++s) {
        EXPECT_EQ(r.trace[s].step, int64_t(s));
        ASSERT_EQ(r.trace[s].rows[0].size(), counts[s]) << "step " << s;
        for (const Reveal& rv : r.trace[s].rows[0]) {
            const int64_t block = s < 3 ? 0 : 1;
            EXPECT_GE(rv.position, 3 + 5 * block);
            EXPECT_LT(rv.position, 3 + 5 * (block + 1));
        }
    }
    // Only the current block's masked positions were asked for.
    EXPECT_EQ(source.calls[0].rows, (std::vector<int64_t>{3, 4, 5, 6, 7}));
    EXPECT_EQ(source.calls[3].rows, (std::vector<int64_t>{8, 9, 10, 11, 12}));
    EXPECT_EQ(source.calls[1].rows.size(), 3u);
}

TEST(LladaSampler, RevealsTheMostConfidentPositionsFirst) {
    // One block of 4 slots (positions 2..5), 2 steps of 2. Position 4 and 2 are sharpest.
    ScriptedSource source = ranked_source({{2, 6.0f}, {3, 1.0f}, {4, 9.0f}, {5, 2.0f}});
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(2, 4)};
    LladaSampler sampler(LladaRemasking::low_confidence, 2, 0, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, options_with_trace());
    ASSERT_EQ(r.trace.size(), 2u);
    ASSERT_EQ(r.trace[0].rows[0].size(), 2u);
    EXPECT_EQ(r.trace[0].rows[0][0].position, 4);
    EXPECT_EQ(r.trace[0].rows[0][1].position, 2);
    EXPECT_EQ(r.trace[0].rows[0][0].token, 4 % 5 + 1);
    // softmax over 8 logits: one at 9, seven at 0.
    EXPECT_NEAR(r.trace[0].rows[0][0].confidence, std::exp(9.0) / (std::exp(9.0) + 7.0), 1e-12);
    EXPECT_EQ(r.trace[1].rows[0][0].position, 5);
    EXPECT_EQ(batch[0], (std::vector<int32_t>{0, 1, 3, 4, 5, 1}));
}

TEST(LladaSampler, TiesGoToTheLowerPositionAndTheLowerTokenId) {
    // Every position has the same logits, with tokens 3 and 6 tied for the maximum.
    ScriptedSource source(kLladaVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t, float* out) {
        out[3] = 2.0f;
        out[6] = 2.0f;
    });
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(1, 6)};
    LladaSampler sampler(LladaRemasking::low_confidence, 3, 0, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, options_with_trace());
    ASSERT_EQ(r.trace.size(), 3u);
    for (size_t s = 0; s < 3; ++s) {
        ASSERT_EQ(r.trace[s].rows[0].size(), 2u);
        EXPECT_EQ(r.trace[s].rows[0][0].position, int64_t(1 + 2 * s));
        EXPECT_EQ(r.trace[s].rows[0][1].position, int64_t(2 + 2 * s));
        EXPECT_EQ(r.trace[s].rows[0][0].token, 3);
    }
}

TEST(LladaSampler, ClassifierFreeGuidanceCombinesBothPassesInOneCall) {
    // Conditional pass (prompt visible) favours token 1, the unconditional one token 2 more;
    // with cfg 1: un + 2 (cond - un): token 1 -> 0 + 2 * 3 = 6; token 2 -> 4 + 2 * (1 - 4) = -2;
    // token 5 -> 2 + 2 * (2.5 - 2) = 3. Without guidance token 1 (3) beats 5 (2.5).
    ScriptedSource source(kLladaVocab, [](int64_t, const std::vector<int32_t>& x, size_t, int64_t, float* out) {
        const bool unconditional = x[0] == kLladaMask;
        out[1] = unconditional ? 0.0f : 3.0f;
        out[2] = unconditional ? 4.0f : 1.0f;
        out[5] = unconditional ? 2.0f : 2.5f;
    });
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(3, 2), prompt_plus_masks(3, 2)};
    DenoiseOptions o = options_with_trace();
    o.cfg_scale = 1.0;
    LladaSampler sampler(LladaRemasking::low_confidence, 2, 0, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, o);
    EXPECT_EQ(r.steps, 2);
    ASSERT_EQ(source.calls.size(), 2u);
    // One call per step: 2 conditional rows, then their 2 unconditional copies.
    ASSERT_EQ(source.calls[1].tokens.size(), 4u);
    const auto& un = source.calls[1].tokens[2];
    EXPECT_EQ(un[0], kLladaMask);
    EXPECT_EQ(un[2], kLladaMask);
    // The answer token revealed in step 0 stays visible in the unconditional pass.
    EXPECT_EQ(int(un[3] == kLladaMask) + int(un[4] == kLladaMask), 1);
    EXPECT_EQ(batch[0], (std::vector<int32_t>{0, 1, 2, 1, 1}));
    EXPECT_EQ(r.trace[0].rows[0][0].confidence,
              softmax_probability(std::vector<float>{0, 6, -2, 0, 0, 3, 0, 0}.data(), kLladaVocab, 1));
}

TEST(LladaSampler, ForbiddenEndOfTextIsNeverChosen) {
    constexpr int32_t kEos = 7;
    ScriptedSource source(kLladaVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t, float* out) {
        out[kEos] = 10.0f;
        out[4] = 5.0f;
    });
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(1, 3)};
    DenoiseOptions o = options_with_trace();
    o.forbidden_tokens = {kEos};
    LladaSampler sampler(LladaRemasking::low_confidence, 3, 0, 0.0);
    denoise(source, sampler, batch, o);
    EXPECT_EQ(batch[0], (std::vector<int32_t>{0, 4, 4, 4}));
    std::vector<std::vector<int32_t>> allowed = {prompt_plus_masks(1, 3)};
    LladaSampler again(LladaRemasking::low_confidence, 3, 0, 0.0);
    denoise(source, again, allowed, options_with_trace());
    EXPECT_EQ(allowed[0], (std::vector<int32_t>{0, kEos, kEos, kEos}));
}

TEST(LladaSampler, RandomRemaskingKeepsTheCountsAndFollowsTheSeed) {
    ScriptedSource source = ranked_source({});
    auto run = [&](uint64_t seed) {
        std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(2, 12)};
        DenoiseOptions o = options_with_trace();
        o.seed = seed;
        LladaSampler sampler(LladaRemasking::random, 4, 0, 0.0);
        DenoiseResult r = denoise(source, sampler, batch, o);
        std::vector<int64_t> order;
        for (const auto& step : r.trace) {
            EXPECT_EQ(step.rows[0].size(), 3u);
            for (const Reveal& rv : step.rows[0]) order.push_back(rv.position);
        }
        return order;
    };
    EXPECT_EQ(run(5), run(5));
    EXPECT_NE(run(5), run(6));
}

TEST(LladaSampler, GumbelSamplingFollowsTheSoftmaxAtTemperatureOne) {
    // Token 2 has probability 0.7, token 6 0.3 (other ids at -inf).
    ScriptedSource source(kLladaVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t, float* out) {
        for (int64_t v = 0; v < kLladaVocab; ++v) out[v] = -INFINITY;
        out[2] = std::log(0.7f);
        out[6] = std::log(0.3f);
    });
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(0, 4000)};
    DenoiseOptions o;
    o.mask_id = kLladaMask;
    o.seed = 11;
    LladaSampler sampler(LladaRemasking::low_confidence, 1, 0, 1.0);
    denoise(source, sampler, batch, o);
    int64_t twos = 0;
    for (int32_t id : batch[0]) {
        ASSERT_TRUE(id == 2 || id == 6) << id;
        twos += id == 2 ? 1 : 0;
    }
    EXPECT_NEAR(double(twos) / 4000.0, 0.7, 0.03);
}

TEST(LladaSampler, SameSeedSameTokensWhateverTheThreadCount) {
    ScriptedSource source(kLladaVocab, [](int64_t, const std::vector<int32_t>& x, size_t, int64_t p, float* out) {
        for (int64_t v = 0; v < kLladaVocab; ++v) out[v] = float((p * 7 + v * 3 + x[0]) % 5) * 0.5f;
    });
    auto run = [&](ThreadPool* pool, uint64_t seed) {
        std::vector<std::vector<int32_t>> batch(3, prompt_plus_masks(2, 24));
        DenoiseOptions o;
        o.mask_id = kLladaMask;
        o.seed = seed;
        o.pool = pool;
        LladaSampler sampler(LladaRemasking::low_confidence, 6, 8, 0.9);
        denoise(source, sampler, batch, o);
        return batch;
    };
    ThreadPool one(1), three(3);
    const auto reference = run(nullptr, 42);
    EXPECT_EQ(run(&one, 42), reference);
    EXPECT_EQ(run(&three, 42), reference);
    EXPECT_NE(run(&three, 43), reference);
    // The K candidates of one context differ from each other at temperature > 0.
    EXPECT_NE(reference[0], reference[1]);
}

TEST(LladaSampler, StepsThatDoNotSplitOverBlocksAreAnError) {
    ScriptedSource source = ranked_source({});
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(2, 8)};
    LladaSampler sampler(LladaRemasking::low_confidence, 3, 4, 0.0);
    EXPECT_THROW(denoise(source, sampler, batch, options_with_trace()), InputError);
    EXPECT_TRUE(source.calls.empty());
}

TEST(LladaSampler, MoreStepsThanMasksSpendsNoExtraForwardPasses) {
    ScriptedSource source = ranked_source({});
    std::vector<std::vector<int32_t>> batch = {prompt_plus_masks(2, 3)};
    LladaSampler sampler(LladaRemasking::low_confidence, 32, 0, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, options_with_trace());
    EXPECT_EQ(r.steps, 3);
    EXPECT_EQ(source.forward_passes(), 3);
    EXPECT_EQ(r.trace[2].step, 2);
}

}  // namespace
}  // namespace remask
