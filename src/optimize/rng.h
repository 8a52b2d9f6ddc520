#pragma once
// Random streams that derive from (run seed, iteration, purpose) alone, so an iteration
// draws the same numbers whether the run went straight through or was resumed before it.

#include <cstdint>
#include <random>
#include <string_view>

namespace remask::optimize {

inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

inline uint64_t fnv1a64(std::string_view text) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

// purpose: "minibatch", "select", "propose", ... (different streams never correlate).
inline uint64_t derive_seed(uint64_t seed, int64_t iteration, std::string_view purpose) {
    return splitmix64(splitmix64(seed ^ fnv1a64(purpose)) + static_cast<uint64_t>(iteration));
}

inline std::mt19937_64 make_rng(uint64_t seed, int64_t iteration, std::string_view purpose) {
    return std::mt19937_64(derive_seed(seed, iteration, purpose));
}

// A uniform double in [0, 1) and an index in [0, n), defined here (not by <random>'s
// distributions, whose output differs between standard libraries) so runs replay anywhere.
inline double uniform01(std::mt19937_64& rng) {
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}
inline size_t uniform_index(std::mt19937_64& rng, size_t n) {
    return n == 0 ? 0 : static_cast<size_t>(uniform01(rng) * static_cast<double>(n));
}

}  // namespace remask::optimize
