#pragma once
// Requests-per-minute and tokens-per-minute limits as token buckets.
//
//   RateLimiter rpm(600);             // 600 requests a minute, bursts of up to 60
//   rpm.acquire(1);                   // blocks until the request may go
//   RateLimiter tpm(90000);           // tokens: the cost is an estimate made before sending,
//   tpm.acquire(estimate);            //   corrected by adjust() once usage is known
//
// A bucket holds at most a tenth of a minute's quota (so a burst never spends a whole
// minute at once) and refills at limit/60 per second. A reservation is taken at once and may
// drive the level negative: later callers wait for the debt, in arrival order. A cost larger
// than the bucket still passes (after waiting for a full bucket) instead of blocking forever.
// Thread-safe; limit 0 = no limit.

#include <chrono>
#include <cstdint>
#include <mutex>

namespace remask {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimiter(int64_t per_minute);

    // Takes `cost` units; returns how long the caller must wait before using them.
    Clock::duration reserve(double cost, Clock::time_point now);
    // reserve() then sleep.
    void acquire(double cost);
    // Corrects an earlier reservation: positive delta takes more, negative gives back.
    void adjust(double delta);

    bool unlimited() const { return per_minute_ <= 0; }

private:
    void refill(Clock::time_point now);

    int64_t per_minute_;
    double capacity_;
    double per_second_;
    double level_;
    Clock::time_point last_;
    bool started_ = false;
    std::mutex mutex_;
};

}  // namespace remask
