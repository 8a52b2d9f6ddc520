#pragma once
// Which failed attempts are retried, and how long to wait before the next one.
//
// Retried: transport errors (refused, reset, timed out, truncated), 408, 409, 425, 429, 5xx,
// a 2xx whose content type is not JSON or whose body is not a usable completion.
// Not retried: every other 4xx (400 bad request, 401 bad key, 403, 404 unknown model or
// URL, 422): the same request would fail again.

#include <chrono>
#include <optional>
#include <random>
#include <string>

namespace remask {

bool http_status_is_retryable(long status);

// Retry-After as seconds ("7", fractions accepted) or an HTTP date (RFC 9110), relative to
// now_unix (seconds since the epoch). A date in the past gives 0; garbage gives nullopt.
std::optional<double> parse_retry_after(const std::string& value, double now_unix);

struct BackoffPolicy {
    double base_s = 0.5;   // first retry waits about this long
    double max_s = 30.0;   // cap for the exponential part
    double max_retry_after_s = 600.0;  // longer server requests are clipped to this

    // attempt: 0 for the first retry. Equal jitter: half the exponential step plus a
    // uniform random half, so many clients that failed together do not retry together.
    // A server's Retry-After is a floor (plus up to 10% of base_s jitter).
    double delay_s(int attempt, std::optional<double> retry_after_s, std::mt19937_64& rng) const;
};

}  // namespace remask
