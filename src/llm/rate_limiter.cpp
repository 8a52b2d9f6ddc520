#include "llm/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace remask {

RateLimiter::RateLimiter(int64_t per_minute)
    : per_minute_(per_minute),
      capacity_(std::max(1.0, double(per_minute) / 10.0)),
      per_second_(double(per_minute) / 60.0),
      level_(capacity_) {}

void RateLimiter::refill(Clock::time_point now) {
    if (!started_) {
        started_ = true;
        last_ = now;
        return;
    }
    if (now <= last_) return;
    double seconds = std::chrono::duration<double>(now - last_).count();
    level_ = std::min(capacity_, level_ + seconds * per_second_);
    last_ = now;
}

RateLimiter::Clock::duration RateLimiter::reserve(double cost, Clock::time_point now) {
    if (unlimited()) return Clock::duration::zero();
    std::lock_guard lock(mutex_);
    refill(now);
    // An oversized cost waits until the bucket is full, then takes everything.
    double take = std::min(cost, capacity_);
    double extra = cost - take;
    level_ -= take;
    Clock::duration wait = Clock::duration::zero();
    if (level_ < 0)
        wait = std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(-level_ / per_second_));
    level_ -= extra;
    return wait;
}

void RateLimiter::acquire(double cost) {
    auto wait = reserve(cost, Clock::now());
    if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
}

void RateLimiter::adjust(double delta) {
    if (unlimited()) return;
    std::lock_guard lock(mutex_);
    level_ = std::min(capacity_, level_ - delta);
}

}  // namespace remask
