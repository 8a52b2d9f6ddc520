// Rate limits, retry delays and accounting: pure logic, checked with synthetic clocks.
#include <gtest/gtest.h>

#include <thread>

#include "core/error.h"
#include "llm/accounting.h"
#include "llm/rate_limiter.h"
#include "llm/retry_policy.h"

namespace remask {
namespace {

using std::chrono::duration;
using Clock = RateLimiter::Clock;

double seconds(Clock::duration d) { return duration<double>(d).count(); }

TEST(RateLimiter, AllowsABurstThenSpacesRequests) {
    RateLimiter rpm(600);  // 10 per second, bursts of 60
    Clock::time_point t0{};
    for (int i = 0; i < 60; ++i) EXPECT_EQ(seconds(rpm.reserve(1, t0)), 0.0) << i;
    EXPECT_NEAR(seconds(rpm.reserve(1, t0)), 0.1, 1e-9);
    EXPECT_NEAR(seconds(rpm.reserve(1, t0)), 0.2, 1e-9);  // queued behind the previous one
    // Two seconds later 20 have been refilled; 2 of them were already promised.
    EXPECT_EQ(seconds(rpm.reserve(18, t0 + std::chrono::seconds(2))), 0.0);
    EXPECT_GT(seconds(rpm.reserve(1, t0 + std::chrono::seconds(2))), 0.0);
}

TEST(RateLimiter, ZeroMeansNoLimit) {
    RateLimiter none(0);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(seconds(none.reserve(1e6, Clock::time_point{})), 0.0);
}

TEST(RateLimiter, TokenCostsAreCorrectedAfterTheCall) {
    RateLimiter tpm(60000);  // 1000 tokens a second, bucket of 6000
    Clock::time_point t0{};
    EXPECT_EQ(seconds(tpm.reserve(6000, t0)), 0.0);
    tpm.adjust(-3000);  // the call used 3000 fewer tokens than estimated
    EXPECT_EQ(seconds(tpm.reserve(3000, t0)), 0.0);
    EXPECT_NEAR(seconds(tpm.reserve(1000, t0)), 1.0, 1e-9);
}

TEST(RateLimiter, OversizedCostWaitsForAFullBucketInsteadOfForever) {
    RateLimiter tpm(600);  // bucket of 60 tokens, 10 a second
    Clock::time_point t0{};
    EXPECT_EQ(seconds(tpm.reserve(500, t0)), 0.0);  // full bucket: goes, leaves a debt
    EXPECT_NEAR(seconds(tpm.reserve(1, t0)), 44.1, 1e-6);  // (440 debt + 1) / 10
}

TEST(RetryPolicy, WhichStatusesAreRetried) {
    for (long status : {408, 409, 425, 429, 500, 502, 503, 504, 529}) EXPECT_TRUE(http_status_is_retryable(status)) << status;
    for (long status : {400, 401, 403, 404, 405, 413, 422}) EXPECT_FALSE(http_status_is_retryable(status)) << status;
}

TEST(RetryPolicy, ParsesRetryAfterSecondsAndDates) {
    EXPECT_EQ(parse_retry_after("7", 0), 7.0);
    EXPECT_EQ(parse_retry_after(" 0 ", 0), 0.0);
    EXPECT_EQ(parse_retry_after("1.5", 0), 1.5);
    // Wed, 21 Oct 2015 07:28:00 GMT is 1445412480 seconds after the epoch.
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480.0 - 30), 30.0);
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412480.0 + 100), 0.0);
    EXPECT_FALSE(parse_retry_after("soon", 0));
    EXPECT_FALSE(parse_retry_after("-3", 0));
    EXPECT_FALSE(parse_retry_after("", 0));
}

TEST(RetryPolicy, BackoffGrowsWithJitterAndHonoursRetryAfter) {
    BackoffPolicy policy{.base_s = 0.5, .max_s = 8.0, .max_retry_after_s = 60.0};
    std::mt19937_64 rng(1);
    for (int attempt = 0; attempt < 10; ++attempt) {
        double step = std::min(8.0, 0.5 * (1 << attempt));
        double low = 1e9, high = 0;
        for (int i = 0; i < 200; ++i) {
            double d = policy.delay_s(attempt, std::nullopt, rng);
            low = std::min(low, d);
            high = std::max(high, d);
        }
        EXPECT_GE(low, step / 2) << attempt;
        EXPECT_LE(high, step) << attempt;
        EXPECT_GT(high - low, step / 10) << "jitter at attempt " << attempt;
    }
    for (int i = 0; i < 100; ++i) {
        double d = policy.delay_s(0, 20.0, rng);
        EXPECT_GE(d, 20.0);
        EXPECT_LE(d, 20.0 + 0.05);
    }
    EXPECT_LE(policy.delay_s(0, 1e6, rng), 60.0 + 0.05);  // clipped
}

TEST(Accounting, CountsPerKindAndPrices) {
    Accounting accounting;
    Price price{.input_per_mtok = 1.0, .output_per_mtok = 4.0};
    accounting.begin_call("target").finish({1000, 500}, price);
    accounting.begin_call("target").finish({1000, 500}, price);
    accounting.begin_call("judge").finish({2000, 0}, price);
    accounting.note_cache_hit("target");
    { CallTicket abandoned = accounting.begin_call("target"); }
    EXPECT_EQ(accounting.totals("target").calls, 2);
    EXPECT_EQ(accounting.totals("target").prompt_tokens, 2000);
    EXPECT_EQ(accounting.totals("target").completion_tokens, 1000);
    EXPECT_DOUBLE_EQ(accounting.totals("target").usd, 2 * (1000 * 1.0 + 500 * 4.0) / 1e6);
    EXPECT_EQ(accounting.totals("target").cache_hits, 1);
    EXPECT_EQ(accounting.totals("judge").calls, 1);
    EXPECT_EQ(accounting.overall().calls, 3);
    EXPECT_EQ(accounting.overall().prompt_tokens, 4000);
}

TEST(Accounting, AppliesTheBudgetTableAndReportsJson) {
    Accounting accounting;
    BudgetSettings budget;
    budget.target_calls = 1;
    accounting.apply(budget);
    accounting.begin_call("target").finish({7, 2}, {.input_per_mtok = 1e6, .output_per_mtok = 0});
    EXPECT_THROW(accounting.begin_call("target"), BudgetExhausted);
    accounting.note_cache_hit("judge");
    auto json = accounting.to_json();
    EXPECT_EQ(json["calls"]["target"], 1);
    EXPECT_EQ(json["calls"]["user"], 0);
    EXPECT_EQ(json["calls"]["judge"], 0);
    EXPECT_EQ(json["tokens"]["prompt"], 7);
    EXPECT_EQ(json["tokens"]["completion"], 2);
    EXPECT_DOUBLE_EQ(json["usd"].get<double>(), 7.0);
    EXPECT_EQ(json["cache_hits"], 1);
}

TEST(Accounting, CallCapCountsCallsInFlightAndGivesBackFailedOnes) {
    Accounting accounting;
    accounting.set_call_cap("target", 2);
    CallTicket a = accounting.begin_call("target");
    CallTicket b = accounting.begin_call("target");
    EXPECT_THROW(accounting.begin_call("target"), BudgetExhausted);
    EXPECT_NO_THROW(accounting.begin_call("judge"));  // kinds are capped apart
    { CallTicket failed = std::move(b); }            // a failed call returns its place
    CallTicket c = accounting.begin_call("target");
    a.finish({}, {});
    c.finish({}, {});
    EXPECT_THROW(accounting.begin_call("target"), BudgetExhausted);
    EXPECT_EQ(accounting.totals("target").calls, 2);
}

TEST(Accounting, TokenAndMoneyCapsStopNewCalls) {
    Accounting tokens;
    tokens.set_token_cap(100);
    tokens.begin_call("target").finish({60, 30}, {});
    CallTicket last = tokens.begin_call("target");  // 90 < 100: may start
    last.finish({60, 0}, {});                       // and finish past the cap
    EXPECT_THROW(tokens.begin_call("user"), BudgetExhausted);
    EXPECT_EQ(tokens.overall().prompt_tokens, 120);

    Accounting money;
    money.set_usd_cap(0.01);
    money.begin_call("rewriter").finish({10000, 0}, {.input_per_mtok = 1.0, .output_per_mtok = 0});
    try {
        money.begin_call("target");
        FAIL() << "expected BudgetExhausted";
    } catch (const BudgetExhausted& e) {
        EXPECT_NE(std::string(e.what()).find("$"), std::string::npos) << e.what();
    }
}

TEST(Accounting, ExactlyTheCapAcrossThreads) {
    Accounting accounting;
    accounting.set_call_cap("target", 500);
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                try {
                    CallTicket ticket = accounting.begin_call("target");
                    ++granted;
                    ticket.finish({1, 1}, {});
                } catch (const BudgetExhausted&) {
                }
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(granted.load(), 500);
    EXPECT_EQ(accounting.totals("target").calls, 500);
}

}  // namespace
}  // namespace remask
