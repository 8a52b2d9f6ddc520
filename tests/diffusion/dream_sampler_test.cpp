#include "diffusion/dream_sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/error.h"
#include "diffusion/denoise.h"
#include "diffusion/schedule.h"
#include "fake_sources.h"

namespace remask {
namespace {

using testing::ScriptedSource;
constexpr int32_t kDreamMask = 50;
constexpr int64_t kDreamVocab = 16;

DenoiseOptions traced(uint64_t seed = 0) {
    DenoiseOptions o;
    o.mask_id = kDreamMask;
    o.seed = seed;
    o.record_trace = true;
    return o;
}

DreamOptions dream(DreamAlgorithm algorithm, int64_t steps) {
    DreamOptions d;
    d.algorithm = algorithm;
    d.steps = steps;
    return d;
}

// Logits whose softmax is `probs` on the first ids (the rest ~0).
void set_probs(float* out, std::initializer_list<double> probs) {
    for (int64_t v = 0; v < kDreamVocab; ++v) out[v] = -1e9f;
    int64_t v = 0;
    for (double p : probs) out[v++] = float(std::log(p));
}

TEST(DreamSampler, RevealCountsFollowTheTimesteps) {
    // 8 masks, 4 steps: linspace(1, 1e-3, 5) gives 1, 2, 2, 3 (see schedule_test).
    ScriptedSource source(kDreamVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        out[p % kDreamVocab] = 1.0f + 0.1f * float(p);
    });
    std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(8, kDreamMask)};
    DreamSampler sampler(dream(DreamAlgorithm::maskgit_plus, 4));
    DenoiseResult r = denoise(source, sampler, batch, traced());
    ASSERT_EQ(r.trace.size(), 4u);
    const std::vector<size_t> counts = {1, 2, 2, 3};
    for (size_t s = 0; s < 4; ++s) EXPECT_EQ(r.trace[s].rows[0].size(), counts[s]) << s;
    // Higher positions are sharper here, so they go first.
    EXPECT_EQ(r.trace[0].rows[0][0].position, 7);
    EXPECT_EQ(r.trace[1].rows[0][0].position, 6);
    // Every masked position is sent to the model at every step (no blocks in Dream).
    EXPECT_EQ(source.calls[1].rows.size(), 7u);
}

TEST(DreamSampler, EachAlgorithmRanksByItsOwnConfidence) {
    // Position 0: probs .6 .2 .2   -> top prob .6 (best), margin .4, -entropy -.950
    // Position 1: probs .55 .45    -> top prob .55, margin .1, -entropy -.688 (best)
    // Position 2: .5 + ten of .05  -> top prob .5, margin .45 (best), -entropy -1.84
    ScriptedSource source(kDreamVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        if (p == 0) set_probs(out, {0.6, 0.2, 0.2});
        if (p == 1) set_probs(out, {0.55, 0.45});
        if (p == 2) set_probs(out, {0.5, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05});
    });
    // 3 masks, 2 steps: int(3 * (1 - 0.5005)) = 1 revealed first.
    auto first = [&](DreamAlgorithm algorithm) {
        std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(3, kDreamMask)};
        DreamSampler sampler(dream(algorithm, 2));
        DenoiseResult r = denoise(source, sampler, batch, traced());
        EXPECT_EQ(r.trace[0].rows[0].size(), 1u);
        EXPECT_EQ(batch[0], (std::vector<int32_t>{0, 0, 0}));
        return r.trace[0].rows[0][0];
    };
    EXPECT_EQ(first(DreamAlgorithm::maskgit_plus).position, 0);
    EXPECT_NEAR(first(DreamAlgorithm::maskgit_plus).confidence, 0.6, 1e-6);
    EXPECT_EQ(first(DreamAlgorithm::topk_margin).position, 2);
    EXPECT_NEAR(first(DreamAlgorithm::topk_margin).confidence, 0.45, 1e-6);
    EXPECT_EQ(first(DreamAlgorithm::entropy).position, 1);
    EXPECT_NEAR(first(DreamAlgorithm::entropy).confidence, 0.55 * std::log(0.55) + 0.45 * std::log(0.45), 1e-6);
}

TEST(DreamSampler, TopKFilteringChangesTheConfidenceAtTemperatureZero) {
    // With top_k = 1 every position has confidence 1: a tie, so the lowest positions win,
    // although position 3 has the sharpest distribution.
    ScriptedSource source(kDreamVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        out[2] = p == 3 ? 9.0f : 1.0f;
    });
    std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(4, kDreamMask)};
    DreamOptions d = dream(DreamAlgorithm::maskgit_plus, 2);
    d.top_k = 1;
    DreamSampler sampler(d);
    DenoiseResult r = denoise(source, sampler, batch, traced());
    ASSERT_EQ(r.trace[0].rows[0].size(), 1u);  // int(4 * 0.4995)
    EXPECT_EQ(r.trace[0].rows[0][0].position, 0);
    EXPECT_DOUBLE_EQ(r.trace[0].rows[0][0].confidence, 1.0);

    std::vector<std::vector<int32_t>> plain = {std::vector<int32_t>(4, kDreamMask)};
    DreamSampler unfiltered(dream(DreamAlgorithm::maskgit_plus, 2));
    DenoiseResult u = denoise(source, unfiltered, plain, traced());
    EXPECT_EQ(u.trace[0].rows[0][0].position, 3);
}

TEST(DreamSampler, TopPKeepsTheSmallestSetAboveP) {
    // probs .5 .3 .2: top_p .6 keeps .5 and .3 (the cumulative .5 before .3 is below .6);
    // renormalized, the best token has .625.
    ScriptedSource source(kDreamVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t, float* out) {
        set_probs(out, {0.5, 0.3, 0.2});
    });
    std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(1, kDreamMask)};
    DreamOptions d = dream(DreamAlgorithm::maskgit_plus, 1);
    d.top_p = 0.6;
    DreamSampler sampler(d);
    DenoiseResult r = denoise(source, sampler, batch, traced());
    EXPECT_NEAR(r.trace[0].rows[0][0].confidence, 0.625, 1e-6);
}

TEST(DreamSampler, AlgTempSamplesPositionsBySoftmaxOfConfidence) {
    // Two masks revealed in one step, drawn one after the other. Confidences .9 and .5 at alg_temp .2:
    // P(position 0 first) = 1 / (1 + exp(-2)) = 0.881.
    ScriptedSource source(kDreamVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        if (p == 0) set_probs(out, {0.9, 0.1});
        if (p == 1) set_probs(out, {0.5, 0.5});
    });
    int64_t zero_first = 0;
    const int64_t runs = 600;
    for (int64_t seed = 0; seed < runs; ++seed) {
        std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(2, kDreamMask)};
        // One step reveals both; the order they are drawn in is the sample.
        DreamOptions d = dream(DreamAlgorithm::maskgit_plus, 1);
        d.alg_temp = 0.2;
        DreamSampler sampler(d);
        DenoiseResult r = denoise(source, sampler, batch, traced(uint64_t(seed)));
        ASSERT_EQ(r.trace.size(), 1u);
        ASSERT_EQ(r.trace[0].rows[0].size(), 2u);  // last step: all, in sampled order
        zero_first += r.trace[0].rows[0][0].position == 0 ? 1 : 0;
    }
    EXPECT_NEAR(double(zero_first) / double(runs), 0.881, 0.05);
}

TEST(DreamSampler, SamplingWithoutReplacementNeverPicksZeroWeights) {
    RandomStream noise(3);
    for (int i = 0; i < 50; ++i) {
        std::vector<size_t> picked = sample_without_replacement({0.0, 1.0, 2.0, 0.0, 5.0}, 4, noise);
        EXPECT_EQ(picked.size(), 3u);
        std::set<size_t> unique(picked.begin(), picked.end());
        EXPECT_EQ(unique, (std::set<size_t>{1, 2, 4}));
    }
}

TEST(DreamSampler, OriginRevealsAFractionPerStepAndAsksOnlyForThoseRows) {
    ScriptedSource source(kDreamVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        out[(p * 3) % kDreamVocab] = 2.0f;
    });
    std::vector<int32_t> x(200, kDreamMask);
    x[0] = 1;
    x[100] = 2;
    std::vector<std::vector<int32_t>> batch = {x};
    DreamSampler sampler(dream(DreamAlgorithm::origin, 4));
    DenoiseResult r = denoise(source, sampler, batch, traced(9));
    ASSERT_EQ(source.calls.size(), r.trace.size());
    int64_t remaining = 198;
    std::vector<float> t = dream_timesteps(4, 1e-3f);
    for (size_t s = 0; s < r.trace.size(); ++s) {
        std::vector<int64_t> revealed;
        for (const Reveal& rv : r.trace[s].rows[0]) revealed.push_back(rv.position);
        std::sort(revealed.begin(), revealed.end());
        EXPECT_EQ(source.calls[s].rows, revealed) << "only the rows revealed are computed";
        const int64_t step = r.trace[s].step;
        if (step < 3) {
            const double expected = double(remaining) * (1.0 - double(t[step + 1]) / double(t[step]));
            EXPECT_NEAR(double(revealed.size()), expected, 4.0 * std::sqrt(expected) + 1.0);
        }
        remaining -= int64_t(revealed.size());
    }
    EXPECT_EQ(remaining, 0);
    for (size_t p = 1; p < 200; ++p) {
        if (p != 100) {
            EXPECT_EQ(batch[0][p], int32_t((p * 3) % kDreamVocab));
        }
    }
    EXPECT_EQ(batch[0][0], 1);
    EXPECT_EQ(batch[0][100], 2);
}

TEST(DreamSampler, TemperatureSamplesFromTheFilteredDistribution) {
    ScriptedSource source(kDreamVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t, float* out) {
        set_probs(out, {0.2, 0.8});
    });
    std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(3000, kDreamMask)};
    DreamOptions d = dream(DreamAlgorithm::maskgit_plus, 1);
    d.temperature = 1.0;
    DreamSampler sampler(d);
    denoise(source, sampler, batch, traced(4));
    int64_t ones = 0;
    for (int32_t id : batch[0]) ones += id == 1 ? 1 : 0;
    EXPECT_NEAR(double(ones) / 3000.0, 0.8, 0.03);
}

TEST(DreamSampler, BadOptionsAreRefused) {
    DreamOptions d = dream(DreamAlgorithm::entropy, 0);
    EXPECT_THROW(DreamSampler{d}, InputError);
    d = dream(DreamAlgorithm::entropy, 4);
    d.eps = 1.5;
    EXPECT_THROW(DreamSampler{d}, InputError);
}

}  // namespace
}  // namespace remask
