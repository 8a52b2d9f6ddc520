#include "diffusion/infill.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "diffusion/sampler_factory.h"
#include "fake_sources.h"

namespace remask {
namespace {

using testing::ScriptedSource;
constexpr int32_t kInfillMask = 40;
constexpr int32_t kEos = 30;
constexpr int32_t kPad = 31;
constexpr int64_t kInfillVocab = 32;

DenoiseOptions opts() {
    DenoiseOptions o;
    o.mask_id = kInfillMask;
    return o;
}

TEST(Infill, LayoutGivesEverySpanItsSlackSlots) {
    std::vector<InfillPiece> pieces = {{{1, 2}, 0}, InfillPiece::masked(3), {{3}, 0}, InfillPiece::masked(1)};
    InfillLayout layout = make_infill_layout({7, 8}, pieces, {9}, 2, kInfillMask);
    EXPECT_EQ(layout.tokens, (std::vector<int32_t>{7, 8, 1, 2, kInfillMask, kInfillMask, kInfillMask, kInfillMask, kInfillMask, 3,
                                                   kInfillMask, kInfillMask, kInfillMask, 9}));
    ASSERT_EQ(layout.spans.size(), 2u);
    EXPECT_EQ(layout.spans[0].begin, 4);
    EXPECT_EQ(layout.spans[0].end, 9);
    EXPECT_EQ(layout.spans[1].begin, 10);
    EXPECT_EQ(layout.spans[1].end, 13);
    EXPECT_EQ(layout.prefix_length, 2);
    EXPECT_EQ(layout.suffix_length, 1);
}

TEST(Infill, FillerInsideASpanIsDroppedAndTheRestIsKept) {
    // Slot positions predict: span 0 -> 11, EOS, 12, PAD, EOS; span 1 -> 13, EOS, EOS.
    ScriptedSource source(kInfillVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        const std::vector<int32_t> script = {0, 0, 0, 0, 11, kEos, 12, kPad, kEos, 0, 13, kEos, kEos, 0};
        out[script[size_t(p)]] = 5.0f;
    });
    std::vector<InfillPiece> pieces = {{{1, 2}, 0}, InfillPiece::masked(3), {{3}, 0}, InfillPiece::masked(1)};
    InfillLayout layout = make_infill_layout({7, 8}, pieces, {9}, 2, kInfillMask);
    auto sampler = make_sampler(SamplingOptions{});
    InfillResult r = run_infill(source, *sampler, layout, 2, {kEos, kPad}, opts());
    ASSERT_EQ(r.candidates.size(), 2u);
    EXPECT_EQ(source.calls[0].tokens.size(), 2u) << "both candidates in one call";
    for (const InfillCandidate& c : r.candidates) {
        ASSERT_EQ(c.span_tokens.size(), 2u);
        EXPECT_EQ(c.span_tokens[0], (std::vector<int32_t>{11, 12}));
        EXPECT_EQ(c.span_tokens[1], (std::vector<int32_t>{13}));
        EXPECT_EQ(c.text_tokens, (std::vector<int32_t>{1, 2, 11, 12, 3, 13}));
        EXPECT_EQ(c.tokens[0], 7);
        EXPECT_EQ(c.tokens[13], 9);
        EXPECT_EQ(c.tokens[5], kEos) << "the raw sequence keeps what the model wrote";
    }
    EXPECT_EQ(r.denoise.steps, 8) << "32 steps, 8 slots: one slot a step";
}

TEST(Infill, TheMaskTokenOutsideASlotIsRefused) {
    std::vector<InfillPiece> pieces = {{{1, kInfillMask}, 0}, InfillPiece::masked(2)};
    EXPECT_THROW(make_infill_layout({}, pieces, {}, 0, kInfillMask), InputError);
    EXPECT_THROW(make_infill_layout({kInfillMask}, {InfillPiece::masked(1)}, {}, 0, kInfillMask), InputError);
    EXPECT_THROW(make_infill_layout({}, {InfillPiece::masked(1)}, {}, -1, kInfillMask), UsageError);
    EXPECT_THROW(make_infill_layout({}, {InfillPiece::masked(1)}, {}, 0, -1), InputError);
}

TEST(Infill, ContextBudgetNamesTheNumbers) {
    EXPECT_NO_THROW(check_context_budget(100, 28, 128));
    EXPECT_NO_THROW(check_context_budget(5000, 28, 0));
    try {
        check_context_budget(100, 29, 128);
        FAIL() << "expected an error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.subject(), "--text");
        EXPECT_EQ(e.detail().substr(0, 49), "29 masked slots + 100 context tokens = 129 tokens");
        EXPECT_NE(e.detail().find("context of 128"), std::string::npos);
    }
}

TEST(Generation, OptionsFollowTheReferenceRules) {
    EXPECT_NO_THROW(check_generation_options({128, 32, 128}));
    EXPECT_NO_THROW(check_generation_options({128, 0, 7}));
    EXPECT_THROW(check_generation_options({100, 32, 128}), UsageError);  // 100 % 32
    EXPECT_THROW(check_generation_options({128, 32, 126}), UsageError);  // 126 % 4
    EXPECT_THROW(check_generation_options({0, 0, 8}), UsageError);
}

TEST(Generation, AnswersAreCutAtTheFirstStopToken) {
    // Answer positions 3.. predict 20, 21, EOS, 22.
    ScriptedSource source(kInfillVocab, [](int64_t, const std::vector<int32_t>&, size_t, int64_t p, float* out) {
        const std::vector<int32_t> script = {0, 0, 0, 20, 21, kEos, 22};
        out[script[size_t(p)]] = 3.0f;
    });
    SamplingOptions s;
    s.steps = 4;
    s.block_length = 2;
    auto sampler = make_sampler(s);
    GenerationResult g = run_generation(source, *sampler, {1, 2, 3}, 4, 1, {kEos}, opts());
    EXPECT_EQ(g.answers[0], (std::vector<int32_t>{20, 21, kEos, 22}));
    EXPECT_EQ(g.texts[0], (std::vector<int32_t>{20, 21}));
    EXPECT_EQ(g.denoise.steps, 4);
    EXPECT_EQ(source.calls[0].rows, (std::vector<int64_t>{3, 4})) << "first block only";
}

}  // namespace
}  // namespace remask
