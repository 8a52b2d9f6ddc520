#include "llm/retry_policy.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace remask {

bool http_status_is_retryable(long status) {
    if (status >= 500) return true;
    return status == 408 || status == 409 || status == 425 || status == 429;
}

std::optional<double> parse_retry_after(const std::string& value, double now_unix) {
    std::string text = value;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
    if (text.empty()) return std::nullopt;
    char* end = nullptr;
    double seconds = std::strtod(text.c_str(), &end);
    if (end && *end == '\0') {
        if (!std::isfinite(seconds) || seconds < 0) return std::nullopt;
        return seconds;
    }
    // curl_getdate reads the RFC 1123 / 850 / asctime forms an HTTP date may take.
    time_t when = curl_getdate(text.c_str(), nullptr);
    if (when == -1) return std::nullopt;
    return std::max(0.0, double(when) - now_unix);
}

double BackoffPolicy::delay_s(int attempt, std::optional<double> retry_after_s, std::mt19937_64& rng) const {
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    if (retry_after_s) return std::min(*retry_after_s, max_retry_after_s) + 0.1 * base_s * unit(rng);
    double step = std::min(max_s, base_s * std::ldexp(1.0, std::min(attempt, 30)));
    return step / 2 + step / 2 * unit(rng);
}

}  // namespace remask
