#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <vector>

namespace remask {
namespace {

TEST(ThreadPool, CoversEveryIndexExactlyOnce) {
    ThreadPool pool(4);
    for (size_t n : {1u, 3u, 4u, 5u, 1000u}) {
        std::vector<std::atomic<int>> hits(n);
        pool.parallel_for(n, [&](size_t begin, size_t end) {
            for (size_t i = begin; i < end; ++i) hits[i]++;
        });
        for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << "n=" << n << " i=" << i;
    }
}

TEST(ThreadPool, RespectsMinimumChunk) {
    ThreadPool pool(4);
    std::atomic<int> calls{0};
    pool.parallel_for(10, [&](size_t, size_t) { calls++; }, 8);
    EXPECT_EQ(calls.load(), 1);
}

TEST(ThreadPool, ManyConsecutiveLoopsGiveTheSameSum) {
    ThreadPool pool(3);
    std::vector<long> data(10000);
    std::iota(data.begin(), data.end(), 0);
    for (int round = 0; round < 200; ++round) {
        std::vector<long> partial(pool.size(), 0);
        std::atomic<long> total{0};
        pool.parallel_for(data.size(), [&](size_t begin, size_t end) {
            long sum = 0;
            for (size_t i = begin; i < end; ++i) sum += data[i];
            total += sum;
        });
        ASSERT_EQ(total.load(), 49995000L);
    }
}

TEST(ThreadPool, ZeroItemsRunsNothing) {
    ThreadPool pool(2);
    bool ran = false;
    pool.parallel_for(0, [&](size_t, size_t) { ran = true; });
    EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace remask
