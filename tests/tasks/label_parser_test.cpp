#include "tasks/label_parser.h"

#include <gtest/gtest.h>

namespace remask {
namespace {

const std::vector<std::string> kSst5 = {"very negative", "negative", "neutral", "positive", "very positive"};

std::string parsed(const LabelParser& parser, const std::string& reply) {
    const LabelParse p = parser.parse(reply);
    return p.outcome == LabelParse::Outcome::found ? parser.labels()[static_cast<size_t>(p.label)] : "<none>";
}

TEST(LabelParser, CaseAndPunctuationDoNotMatter) {
    LabelParser parser({"negative", "positive"});
    EXPECT_EQ(parsed(parser, "Positive"), "positive");
    EXPECT_EQ(parsed(parser, "  **NEGATIVE**.\n"), "negative");
    EXPECT_EQ(parsed(parser, "\"positive\""), "positive");
    EXPECT_EQ(parsed(parser, "Sentiment: negative"), "negative");
}

TEST(LabelParser, LabelWordInsideASentence) {
    LabelParser parser({"negative", "positive"});
    EXPECT_EQ(parsed(parser, "I would say the review is clearly positive overall."), "positive");
}

TEST(LabelParser, WholeWordsOnly) {
    LabelParser parser({"negative", "positive"});
    EXPECT_EQ(parser.parse("It is positively charming").outcome, LabelParse::Outcome::no_label);
    EXPECT_EQ(parsed(parser, "Negativity aside, it is positive"), "positive");
}

TEST(LabelParser, LongestMatchWinsForSst5) {
    LabelParser parser(kSst5);
    EXPECT_EQ(parsed(parser, "Very positive"), "very positive");
    EXPECT_EQ(parsed(parser, "very-negative"), "very negative");
    EXPECT_EQ(parsed(parser, "VERY_POSITIVE"), "very positive");
    EXPECT_EQ(parsed(parser, "The sentiment is very  negative."), "very negative");
    EXPECT_EQ(parsed(parser, "positive"), "positive");
    EXPECT_EQ(parsed(parser, "It's neutral."), "neutral");
    // "very" alone is not a label, and "extremely positive" reads as positive.
    EXPECT_EQ(parser.parse("very").outcome, LabelParse::Outcome::no_label);
    EXPECT_EQ(parsed(parser, "extremely positive"), "positive");
}

TEST(LabelParser, FirstMentionWinsWhenSeveralLabelsAppear) {
    LabelParser parser({"negative", "positive"});
    EXPECT_EQ(parsed(parser, "Positive, though with negative moments"), "positive");
    EXPECT_EQ(parsed(parser, "negative or positive? I'd say positive"), "negative");
}

TEST(LabelParser, NegatedMentionsAreSkipped) {
    LabelParser parser({"negative", "positive"});
    EXPECT_EQ(parsed(parser, "It is not negative; it is positive."), "positive");
    EXPECT_EQ(parsed(parser, "This isn't positive. Negative."), "negative");
    EXPECT_EQ(parsed(parser, "This isn’t positive. Negative."), "negative");  // typographic apostrophe
    const LabelParse only = parser.parse("Definitely not positive");
    EXPECT_EQ(only.outcome, LabelParse::Outcome::only_negated);
    EXPECT_EQ(only.negated_mention, "not positive");
    LabelParser sst5(kSst5);
    EXPECT_EQ(sst5.parse("neither positive nor negative").outcome, LabelParse::Outcome::only_negated);
    EXPECT_EQ(parsed(sst5, "not very positive, just positive"), "positive");
}

TEST(LabelParser, EmptyAndLabelFreeRepliesAreUnparseable) {
    LabelParser parser({"negative", "positive"});
    EXPECT_EQ(parser.parse("").outcome, LabelParse::Outcome::empty_reply);
    EXPECT_EQ(parser.parse(" ... \n").outcome, LabelParse::Outcome::empty_reply);
    EXPECT_EQ(parser.parse("I cannot determine that.").outcome, LabelParse::Outcome::no_label);
}

TEST(LabelParser, WholeReplyEqualToALabelWinsOverScanning) {
    // A one-letter label "a" would otherwise be found inside ordinary prose.
    LabelParser parser({"a", "b"});
    EXPECT_EQ(parsed(parser, "B"), "b");
    EXPECT_EQ(parsed(parser, "(b)"), "b");
    EXPECT_EQ(parsed(parser, "The answer is b"), "b");
}

}  // namespace
}  // namespace remask
