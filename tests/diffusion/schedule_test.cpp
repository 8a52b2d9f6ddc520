#include "diffusion/schedule.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace remask {
namespace {

TEST(Schedule, NumTransferTokensSpreadsTheRemainderOverTheFirstSteps) {
    EXPECT_EQ(num_transfer_tokens(10, 4), (std::vector<int64_t>{3, 3, 2, 2}));
    EXPECT_EQ(num_transfer_tokens(8, 4), (std::vector<int64_t>{2, 2, 2, 2}));
    EXPECT_EQ(num_transfer_tokens(3, 5), (std::vector<int64_t>{1, 1, 1, 0, 0}));
    EXPECT_EQ(num_transfer_tokens(0, 2), (std::vector<int64_t>{0, 0}));
}

TEST(Schedule, DreamTimestepsRunFromOneToEps) {
    std::vector<float> t = dream_timesteps(4, 1e-3f);
    ASSERT_EQ(t.size(), 5u);
    EXPECT_EQ(t[0], 1.0f);
    EXPECT_EQ(t[4], 1e-3f);  // the second half is computed from the end, so it is exact
    const float step = (1e-3f - 1.0f) / 4.0f;
    EXPECT_EQ(t[1], 1.0f + step);
    EXPECT_EQ(t[2], 1e-3f - step * 2.0f);
    EXPECT_NEAR(t[2], 0.5005f, 1e-6f);
}

TEST(Schedule, DreamTransferCountsByHand) {
    // linspace(1, 0.001, 5) = 1, 0.75025, 0.5005, 0.25075, 0.001; 8 masks.
    std::vector<float> t = dream_timesteps(4, 1e-3f);
    EXPECT_EQ(dream_transfer_count(8, t, 0), 1);  // 8 * 0.24975 = 1.998
    EXPECT_EQ(dream_transfer_count(7, t, 1), 2);  // 7 * 0.3329 = 2.33
    EXPECT_EQ(dream_transfer_count(5, t, 2), 2);  // 5 * 0.49900 = 2.495
    EXPECT_EQ(dream_transfer_count(3, t, 3), 3);  // the last step takes the rest
}

TEST(Schedule, BlocksCoverFirstToLastMask) {
    BlockLayout b = make_block_layout({{4, 5, 9}, {6, 11}}, 6, 3);
    EXPECT_EQ(b.start, 4);
    EXPECT_EQ(b.end, 12);
    EXPECT_EQ(b.num_blocks, 3);  // 4-6, 7-9, 10-11
    EXPECT_EQ(b.steps_per_block, 2);
    EXPECT_EQ(b.block_end(2), 12);
    BlockLayout one = make_block_layout({{2, 7}}, 5, 0);
    EXPECT_EQ(one.num_blocks, 1);
    EXPECT_EQ(one.block_length, 6);
    EXPECT_EQ(one.steps_per_block, 5);
}

TEST(Schedule, StepsThatDoNotSplitOverBlocksAreRefused) {
    try {
        make_block_layout({{0, 1, 2, 3, 4, 5, 6, 7}}, 5, 4);
        FAIL() << "expected an error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.subject(), "steps");
        EXPECT_NE(e.detail().find("multiple of 2"), std::string::npos) << e.detail();
    }
    EXPECT_THROW(make_block_layout({{0}}, 0, 0), InputError);
    EXPECT_THROW(make_block_layout({{0}}, 4, -1), InputError);
}

}  // namespace
}  // namespace remask
