// The optimizer writes span markup for the DLM (segments_to_markup); whatever the prompt
// holds, the markup must parse back to the same text and slots.

#include <gtest/gtest.h>

#include "diffusion/span_markup.h"
#include "optimize/dlm_infillers.h"

namespace remask::optimize {
namespace {

// Was: `\` was not escaped, so "C:\" before a slot became "\<mask:3>", a literal: the slot
// vanished and every candidate of that proposal was lost.
TEST(SegmentsToMarkup, BackslashesAndAnglesRoundTripAroundSlots) {
    const std::vector<PromptSegment> segments = {
        {"Save to C:\\", 0}, {"", 3}, {" then \\<b> and \\\\ end\\", 0}, {"", 2}, {"<mask:1> \\", 0}};
    const std::vector<MarkupSegment> parsed = parse_mask_markup(segments_to_markup(segments));
    ASSERT_EQ(parsed.size(), segments.size());
    for (size_t i = 0; i < segments.size(); ++i) {
        EXPECT_EQ(parsed[i].text, segments[i].text) << i;
        EXPECT_EQ(parsed[i].masks, segments[i].slots) << i;
    }
}

TEST(SpanMarkupGrammar, DoubleBackslashIsOneBackslash) {
    const auto s = parse_mask_markup("C:\\\\<mask:3> a\\b \\\\\\<mask:1>");
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].text, "C:\\");
    EXPECT_EQ(s[1].masks, 3);
    EXPECT_EQ(s[2].text, " a\\b \\<mask:1>");
    EXPECT_EQ(escape_markup_text("a\\<"), "a\\\\\\<");
}

}  // namespace
}  // namespace remask::optimize
