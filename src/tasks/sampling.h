#pragma once
// Deterministic random draws that do not depend on the standard library's distributions
// (which differ between implementations), so a seed picks the same examples everywhere.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace remask {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified.
class SplitMix64 {
public:
    explicit SplitMix64(uint64_t seed) : state_(seed) {}
    uint64_t next();
    // Uniform in [0, n), n > 0, by rejection (no modulo bias).
    uint64_t below(uint64_t n);
    // Uniform in [0, 1).
    double unit();

private:
    uint64_t state_;
};

// Fisher–Yates shuffle of 0..n-1 driven by SplitMix64(seed).
std::vector<size_t> shuffled_indices(size_t n, uint64_t seed);

// Picks n of the items whose stratum (label) is strata[i], returning their indices in
// ascending order. n == 0 or n >= strata.size(): every index.
// Rule: each stratum gets floor(n * size / total) items; the remaining ones go to the
// strata with the largest remainders (n * size mod total), ties to the smaller stratum name.
// Within a stratum the items are the first of a seeded shuffle (seed mixed with the
// stratum's rank), so a larger n keeps most of a smaller n's picks.
std::vector<size_t> stratified_sample(const std::vector<std::string>& strata, size_t n,
                                      uint64_t seed);

}  // namespace remask
