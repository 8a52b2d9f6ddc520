#include "tasks/judge.h"

#include <gtest/gtest.h>

namespace remask {
namespace {

TEST(JudgeReply, JsonObjectWithProseAround) {
    auto v = parse_judge_reply("Here you go: {\"score\": 0.75, \"critique\": \"Too long.\"} Thanks");
    ASSERT_TRUE(v.readable);
    EXPECT_DOUBLE_EQ(v.score, 0.75);
    EXPECT_EQ(v.critique, "Too long.");
    auto s = parse_judge_reply("{\"score\": \"8\", \"reason\": \"ok\"}");
    ASSERT_TRUE(s.readable);
    EXPECT_DOUBLE_EQ(s.score, 0.8);  // 0–10 scale
    EXPECT_EQ(s.critique, "ok");
}

TEST(JudgeReply, ScoreLines) {
    auto a = parse_judge_reply("Score: 0.6\nCritique: misses the second point.");
    ASSERT_TRUE(a.readable);
    EXPECT_DOUBLE_EQ(a.score, 0.6);
    EXPECT_EQ(a.critique, "misses the second point.");
    auto b = parse_judge_reply("**Score:** 4 / 5 — solid");
    ASSERT_TRUE(b.readable);
    EXPECT_DOUBLE_EQ(b.score, 0.8);
    EXPECT_EQ(b.critique, "**Score:** 4 / 5 — solid");
    auto c = parse_judge_reply("score = 7 out of 10");
    ASSERT_TRUE(c.readable);
    EXPECT_DOUBLE_EQ(c.score, 0.7);
    auto d = parse_judge_reply("SCORE: 85");
    ASSERT_TRUE(d.readable);
    EXPECT_DOUBLE_EQ(d.score, 0.85);
}

TEST(JudgeReply, UnreadableReplies) {
    EXPECT_FALSE(parse_judge_reply("Looks great to me!").readable);
    EXPECT_FALSE(parse_judge_reply("Score: 6/5").readable);
    EXPECT_FALSE(parse_judge_reply("Score: 250").readable);
    EXPECT_FALSE(parse_judge_reply("{\"score\": -1}").readable);
    EXPECT_FALSE(parse_judge_reply("{\"score\": \"high\"}").readable);
    EXPECT_FALSE(parse_judge_reply("").readable);
}

}  // namespace
}  // namespace remask
