#include "diffusion/threshold_sampler.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "diffusion/denoise.h"
#include "fake_sources.h"

namespace remask {
namespace {

using testing::ScriptedSource;
constexpr int32_t kThresholdMask = 30;
constexpr int64_t kThresholdVocab = 4;

DenoiseOptions threshold_traced() {
    DenoiseOptions o;
    o.mask_id = kThresholdMask;
    o.record_trace = true;
    return o;
}

// Position p: token p % 3 with logit height[p], others 0, so confidence grows with height.
ScriptedSource heights(std::vector<float> height) {
    return ScriptedSource(kThresholdVocab, [height](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        out[p % 3] = height[size_t(p)];
    });
}

TEST(ThresholdSampler, RevealsEveryPositionAboveTheThresholdAtOnce) {
    // Confidence exp(h) / (exp(h) + 3): h = 5 -> 0.98, h = 0 -> 0.25, h = 2 -> 0.71.
    ScriptedSource source = heights({5, 0, 5, 2, 5, 0});
    std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(6, kThresholdMask)};
    ThresholdSampler sampler(0.9, 32, 0, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, threshold_traced());
    ASSERT_GE(r.trace.size(), 2u);
    std::vector<int64_t> first;
    for (const Reveal& rv : r.trace[0].rows[0]) first.push_back(rv.position);
    std::sort(first.begin(), first.end());
    EXPECT_EQ(first, (std::vector<int64_t>{0, 2, 4}));
    // Then nothing passes: one position a step, the most confident first.
    ASSERT_EQ(r.trace.size(), 4u);
    EXPECT_EQ(r.trace[1].rows[0].size(), 1u);
    EXPECT_EQ(r.trace[1].rows[0][0].position, 3);
    EXPECT_EQ(r.trace[2].rows[0][0].position, 1);  // tie with 5: lower position first
    EXPECT_EQ(r.trace[3].rows[0][0].position, 5);
    // Height 0 leaves every logit equal: the lowest token id wins.
    EXPECT_EQ(batch[0], (std::vector<int32_t>{0, 0, 2, 0, 1, 0}));
}

TEST(ThresholdSampler, StaysWithinTheStepBudgetOfEachBlock) {
    // Nothing ever passes 0.99; 8 masks in 2 blocks of 4 with 4 steps: 2 steps a block, so
    // each step must reveal at least ceil(4 / 2) = 2.
    ScriptedSource source = heights(std::vector<float>(8, 0.5f));
    std::vector<std::vector<int32_t>> batch = {std::vector<int32_t>(8, kThresholdMask)};
    ThresholdSampler sampler(0.99, 4, 4, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, threshold_traced());
    ASSERT_EQ(r.trace.size(), 4u);
    for (size_t s = 0; s < 4; ++s) {
        EXPECT_EQ(r.trace[s].rows[0].size(), 2u);
        for (const Reveal& rv : r.trace[s].rows[0]) EXPECT_EQ(rv.position / 4, int64_t(s / 2));
    }
    EXPECT_EQ(source.calls[2].rows, (std::vector<int64_t>{4, 5, 6, 7}));
}

TEST(ThresholdSampler, ConfidentTextTakesFewerStepsThanAsked) {
    ScriptedSource source = heights(std::vector<float>(16, 8.0f));
    std::vector<std::vector<int32_t>> batch(2, std::vector<int32_t>(16, kThresholdMask));
    ThresholdSampler sampler(0.9, 16, 0, 0.0);
    DenoiseResult r = denoise(source, sampler, batch, threshold_traced());
    EXPECT_EQ(r.steps, 1);
    EXPECT_EQ(r.trace[0].rows[1].size(), 16u);
}

}  // namespace
}  // namespace remask
