// Mask plans: <keep> text is never masked, slots = n + slack, the ratio is respected, the
// length bound holds, and confidence masks the least likely tokens.

#include "optimize/mask_plan.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

const std::string kPrompt =
    "You are a careful assistant. <keep>Never reveal the password.</keep> Read each question "
    "twice.\nThink about the answer before you write it. Use short sentences! Be kind to the "
    "user. <keep>Answer in English.</keep> End with a summary line.";

MaskPlanOptions options() {
    MaskPlanOptions o;
    o.slack = 3;
    return o;
}

void expect_keep_untouched(const PromptTokens& tokens, const MaskedPrompt& m) {
    // Every keep block appears whole in one kept segment, in order.
    std::string kept;
    for (const PromptSegment& s : m.segments)
        if (!s.masked()) kept += s.text;
    size_t at = 0;
    for (const std::string& block : keep_blocks(tokens.joined())) {
        size_t found = kept.find(block, at);
        ASSERT_NE(found, std::string::npos) << block;
        at = found + block.size();
    }
    for (const MaskInterval& i : m.intervals)
        for (size_t k = i.begin; k < i.end; ++k) EXPECT_FALSE(tokens.pieces[k].locked);
}

class EveryPlan : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPlan, NeverMasksKeepTextAndGivesSlackSlots) {
    const TokenSplitter splitter = whitespace_splitter();
    PromptTokens tokens = tokenize_prompt(kPrompt, splitter);
    auto plan = make_mask_plan(GetParam(), options());
    std::vector<double> scores;
    for (size_t i = 0; i < tokens.free_count(); ++i)
        scores.push_back(static_cast<double>((i * 7) % 11));
    for (int64_t seed = 0; seed < 50; ++seed) {
        auto rng = make_rng(seed, 1, "mask");
        MaskedPrompt m =
            build_masked_prompt(tokens, plan->choose(tokens, rng, &scores), options(), splitter);
        ASSERT_FALSE(m.intervals.empty()) << GetParam() << " seed " << seed;
        expect_keep_untouched(tokens, m);
        size_t k = 0;
        std::string original;
        for (const PromptSegment& s : m.segments) {
            original += s.text;
            if (!s.masked()) continue;
            const MaskInterval& i = m.intervals[k++];
            int64_t n = static_cast<int64_t>(i.end - i.begin);
            EXPECT_EQ(s.slots, n > 0 ? n + 3 : i.insert_slots);
        }
        EXPECT_EQ(original, kPrompt);  // masked segments carry their original text
        for (const PromptSegment& s : segments_for_dlm(m))
            EXPECT_EQ(s.text.find("<keep>"), std::string::npos);
    }
}

INSTANTIATE_TEST_SUITE_P(Plans, EveryPlan,
                         ::testing::Values("random-span", "sentence", "insert", "confidence"));

TEST(MaskPlan, RandomSpanMasksAShareInTheConfiguredRange) {
    const TokenSplitter splitter = whitespace_splitter();
    PromptTokens tokens = tokenize_prompt(kPrompt, splitter);
    MaskPlanOptions o = options();
    o.ratio_min = 0.2;
    o.ratio_max = 0.3;
    auto plan = make_random_span_plan(o);
    double total = 0;
    for (int64_t seed = 0; seed < 100; ++seed) {
        auto rng = make_rng(seed, 0, "mask");
        MaskedPrompt m =
            build_masked_prompt(tokens, plan->choose(tokens, rng, nullptr), o, splitter);
        double share =
            static_cast<double>(m.masked_tokens) / static_cast<double>(tokens.free_count());
        EXPECT_LE(share, 0.3 + 1.0 / static_cast<double>(tokens.free_count()));
        total += share;
    }
    EXPECT_GT(total / 100, 0.15);
}

TEST(MaskPlan, SentencePlanMasksWholeSentences) {
    const TokenSplitter splitter = whitespace_splitter();
    PromptTokens tokens = tokenize_prompt(kPrompt, splitter);
    auto sentences = free_sentences(tokens);
    auto plan = make_sentence_plan(options());
    for (int64_t seed = 0; seed < 20; ++seed) {
        auto rng = make_rng(seed, 0, "mask");
        for (const MaskInterval& i : plan->choose(tokens, rng, nullptr)) {
            bool whole = false;
            for (const MaskInterval& s : sentences)
                whole = whole || (s.begin == i.begin && s.end == i.end);
            EXPECT_TRUE(whole);
        }
    }
}

TEST(MaskPlan, InsertOpensEmptySlotsAtBoundaries) {
    const TokenSplitter splitter = whitespace_splitter();
    PromptTokens tokens = tokenize_prompt(kPrompt, splitter);
    auto plan = make_insert_plan(options());
    auto rng = make_rng(3, 0, "mask");
    MaskedPrompt m =
        build_masked_prompt(tokens, plan->choose(tokens, rng, nullptr), options(), splitter);
    for (const MaskInterval& i : m.intervals) {
        EXPECT_EQ(i.begin, i.end);
        EXPECT_EQ(i.insert_slots, 6);  // max(4, 2 * slack)
        EXPECT_TRUE(i.begin == 0 || i.begin == tokens.pieces.size() ||
                    ends_sentence(tokens.pieces[i.begin - 1].text) ||
                    tokens.pieces[i.begin - 1].locked || tokens.pieces[i.begin].locked);
    }
}

TEST(MaskPlan, ConfidenceMasksTheLeastLikelyTokens) {
    const TokenSplitter splitter = whitespace_splitter();
    PromptTokens tokens = tokenize_prompt("a b c d e f g h i j k l m n o p", splitter);
    std::vector<double> scores(tokens.free_count(), 0.9);
    scores[9] = scores[10] = 0.01;  // " j", " k"
    MaskPlanOptions o = options();
    o.ratio_min = o.ratio_max = 0.125;  // 2 of 16
    o.mean_span = 2;
    auto rng = make_rng(0, 0, "mask");
    auto spans = make_confidence_plan(o)->choose(tokens, rng, &scores);
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].begin, 9u);
    EXPECT_EQ(spans[0].end, 11u);
    EXPECT_THROW(make_confidence_plan(o)->choose(tokens, rng, nullptr), InputError);
}

TEST(MaskPlan, LengthBoundTrimsSlack) {
    const TokenSplitter splitter = whitespace_splitter();
    PromptTokens tokens = tokenize_prompt("a b c d e f g h", splitter);
    MaskPlanOptions o = options();
    o.slack = 10;
    o.max_prompt_tokens = 10;
    MaskedPrompt m = build_masked_prompt(tokens, {{2, 4}}, o, splitter);
    int64_t length = 8 - 2;
    for (const PromptSegment& s : m.segments) length += s.slots;
    EXPECT_LE(length, 10);
    EXPECT_GE(m.segments[1].slots, 2);  // never fewer slots than the span had tokens
}

TEST(MaskPlan, UnknownPlanIsAnInputError) {
    EXPECT_THROW(make_mask_plan("zigzag", {}), InputError);
}

TEST(MaskPlan, AllLockedPromptGetsNoSpans) {
    const TokenSplitter splitter = whitespace_splitter();
    PromptTokens tokens = tokenize_prompt("<keep>all of it</keep>", splitter);
    auto rng = make_rng(0, 0, "mask");
    EXPECT_TRUE(make_random_span_plan(options())->choose(tokens, rng, nullptr).empty());
    EXPECT_TRUE(make_sentence_plan(options())->choose(tokens, rng, nullptr).empty());
}

}  // namespace
}  // namespace remask::optimize
