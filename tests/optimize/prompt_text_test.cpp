// <keep> blocks, rendering for the target, token splitters.

#include "optimize/prompt_text.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace remask::optimize {
namespace {

TEST(PromptText, SplitsKeepRegionsAndRendersWithoutMarkers) {
    std::string p = "Be brief. <keep>Answer yes or no.</keep> Thanks.";
    auto regions = split_keep_regions(p);
    ASSERT_EQ(regions.size(), 3u);
    EXPECT_FALSE(regions[0].keep);
    EXPECT_TRUE(regions[1].keep);
    EXPECT_EQ(regions[1].text, "<keep>Answer yes or no.</keep>");
    EXPECT_EQ(render_for_target(p), "Be brief. Answer yes or no. Thanks.");
    EXPECT_EQ(keep_blocks(p), std::vector<std::string>{"<keep>Answer yes or no.</keep>"});
}

TEST(PromptText, RejectsBrokenMarkersWithTheirPosition) {
    EXPECT_THROW(split_keep_regions("a <keep>b"), InputError);
    EXPECT_THROW(split_keep_regions("a </keep> b"), InputError);
    EXPECT_THROW(split_keep_regions("<keep>a <keep>b</keep></keep>"), InputError);
    try {
        split_keep_regions("abc <keep>never closed", "p.txt");
        FAIL();
    } catch (const InputError& e) {
        EXPECT_EQ(e.subject(), "p.txt");
        EXPECT_NE(e.detail().find("byte 4"), std::string::npos) << e.detail();
    }
}

TEST(PromptText, KeepsPreservedDetectsChangedOrLostBlocks) {
    std::string p = "x <keep>A</keep> y <keep>B</keep>";
    EXPECT_TRUE(keeps_preserved(p, "other <keep>A</keep><keep>B</keep> text"));
    EXPECT_FALSE(keeps_preserved(p, "x <keep>A!</keep> y <keep>B</keep>"));
    EXPECT_FALSE(keeps_preserved(p, "x <keep>A</keep> y"));
    EXPECT_FALSE(keeps_preserved(p, "x <keep>A</keep> y <keep>B"));
}

TEST(PromptText, SplittersReproduceTheirInput) {
    const std::string text = "  Hello,\n\nwörld — tabs\there ";
    for (const TokenSplitter& s : {whitespace_splitter(), character_splitter()}) {
        std::string joined;
        for (const std::string& t : s(text)) joined += t;
        EXPECT_EQ(joined, text);
    }
    EXPECT_EQ(whitespace_splitter()("a bc  d").size(), 3u);
    EXPECT_EQ(character_splitter()("wö").size(), 2u);
}

TEST(PromptText, TokenizeLocksWholeKeepBlocks) {
    PromptTokens t = tokenize_prompt("One two <keep>three four</keep> five", whitespace_splitter());
    EXPECT_EQ(t.joined(), "One two <keep>three four</keep> five");
    size_t locked = 0;
    for (const PromptPiece& p : t.pieces)
        if (p.locked) {
            ++locked;
            EXPECT_EQ(p.text, "<keep>three four</keep>");
        }
    EXPECT_EQ(locked, 1u);
    EXPECT_EQ(t.free_count(), 4u);  // "One", " two", " ", " five"
}

TEST(PromptText, RejectsASplitterThatLosesText) {
    TokenSplitter lossy = [](const std::string& s) {
        return std::vector<std::string>{s.substr(1)};
    };
    EXPECT_THROW(tokenize_prompt("abc", lossy), InputError);
}

}  // namespace
}  // namespace remask::optimize
