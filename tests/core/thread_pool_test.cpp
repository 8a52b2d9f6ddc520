#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
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

// Was: a throw in the caller's chunk unwound while workers still ran the body, and a
// worker's throw called std::terminate.
TEST(ThreadPool, ThrowInTheCallersChunkWaitsForWorkersThenRethrows) {
    ThreadPool pool(4);
    std::atomic<int> finished{0};
    EXPECT_THROW(pool.parallel_for(4,
                                   [&](size_t begin, size_t) {
                                       if (begin == 0) throw std::runtime_error("caller chunk");
                                       for (volatile int spin = 0; spin < 200000; ++spin) {
                                       }
                                       finished++;
                                   }),
                 std::runtime_error);
    EXPECT_EQ(finished.load(), 3) << "every worker chunk ran to its end before the throw left parallel_for";
    // The pool still works.
    std::atomic<int> total{0};
    pool.parallel_for(100, [&](size_t begin, size_t end) { total += static_cast<int>(end - begin); });
    EXPECT_EQ(total.load(), 100);
}

TEST(ThreadPool, ThrowInAWorkersChunkIsRethrownToTheCaller) {
    ThreadPool pool(4);
    for (int round = 0; round < 3; ++round) {
        try {
            pool.parallel_for(4, [&](size_t begin, size_t) {
                if (begin == 3) throw std::invalid_argument("worker chunk");
            });
            ADD_FAILURE() << "the worker's exception was lost";
        } catch (const std::invalid_argument& e) {
            EXPECT_STREQ(e.what(), "worker chunk");
        }
    }
    std::atomic<int> total{0};
    pool.parallel_for(8, [&](size_t begin, size_t end) { total += static_cast<int>(end - begin); });
    EXPECT_EQ(total.load(), 8);
}

}  // namespace
}  // namespace remask
