#include "tasks/sampling.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace remask {
namespace {

std::map<std::string, size_t> count_by_stratum(const std::vector<std::string>& strata,
                                               const std::vector<size_t>& picked) {
    std::map<std::string, size_t> counts;
    for (size_t i : picked) counts[strata[i]] += 1;
    return counts;
}

TEST(SplitMix64, KnownFirstOutputs) {
    // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
    SplitMix64 rng(0);
    EXPECT_EQ(rng.next(), 0xe220a8397b1dcdafULL);
    EXPECT_EQ(rng.next(), 0x6e789e6aa1b965f4ULL);
}

TEST(Sampling, ProportionalQuotasPerLabel) {
    std::vector<std::string> strata;
    for (int i = 0; i < 60; ++i) strata.push_back("pos");
    for (int i = 0; i < 40; ++i) strata.push_back("neg");
    const auto picked = stratified_sample(strata, 10, 1);
    ASSERT_EQ(picked.size(), 10u);
    EXPECT_TRUE(std::is_sorted(picked.begin(), picked.end()));
    EXPECT_EQ(std::set<size_t>(picked.begin(), picked.end()).size(), 10u);
    const auto counts = count_by_stratum(strata, picked);
    EXPECT_EQ(counts.at("pos"), 6u);
    EXPECT_EQ(counts.at("neg"), 4u);
}

TEST(Sampling, RemainderTiesGoToTheSmallerName) {
    std::vector<std::string> strata = {"b", "a", "b", "a", "b", "a", "b", "a", "b", "a"};
    const auto counts = count_by_stratum(strata, stratified_sample(strata, 3, 0));
    EXPECT_EQ(counts.at("a"), 2u);  // 1.5 each: the tie goes to "a"
    EXPECT_EQ(counts.at("b"), 1u);
}

TEST(Sampling, LargestRemainderGetsTheExtraItem) {
    // sizes 7, 2, 1 of 10, n = 4: exact shares 2.8, 0.8, 0.4 → floors 2, 0, 0, then the two
    // largest remainders (x: 8, y: 8 → both) get one each.
    std::vector<std::string> strata = {"x", "x", "x", "x", "x", "x", "x", "y", "y", "z"};
    const auto counts = count_by_stratum(strata, stratified_sample(strata, 4, 5));
    EXPECT_EQ(counts.at("x"), 3u);
    EXPECT_EQ(counts.at("y"), 1u);
    EXPECT_EQ(counts.count("z"), 0u);
}

TEST(Sampling, DeterministicBySeedAndDifferentAcrossSeeds) {
    std::vector<std::string> strata(500, "");
    const auto a = stratified_sample(strata, 20, 42);
    EXPECT_EQ(a, stratified_sample(strata, 20, 42));
    EXPECT_NE(a, stratified_sample(strata, 20, 43));
}

TEST(Sampling, ZeroOrTooManyMeansEverything) {
    std::vector<std::string> strata(7, "x");
    EXPECT_EQ(stratified_sample(strata, 0, 1).size(), 7u);
    EXPECT_EQ(stratified_sample(strata, 100, 1).size(), 7u);
}

TEST(Sampling, ShuffleIsAPermutation) {
    auto order = shuffled_indices(100, 9);
    std::set<size_t> seen(order.begin(), order.end());
    EXPECT_EQ(seen.size(), 100u);
    EXPECT_EQ(*seen.rbegin(), 99u);
    EXPECT_NE(order, shuffled_indices(100, 10));
}

}  // namespace
}  // namespace remask
