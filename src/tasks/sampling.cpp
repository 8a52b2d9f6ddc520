#include "tasks/sampling.h"

#include <algorithm>
#include <map>

namespace remask {

uint64_t SplitMix64::next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t SplitMix64::below(uint64_t n) {
    // Reject the top partial block so every residue is equally likely.
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do x = next();
    while (x >= limit);
    return x % n;
}

double SplitMix64::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::vector<size_t> shuffled_indices(size_t n, uint64_t seed) {
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    SplitMix64 rng(seed);
    for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
    return order;
}

std::vector<size_t> stratified_sample(const std::vector<std::string>& strata, size_t n,
                                      uint64_t seed) {
    const size_t total = strata.size();
    std::vector<size_t> picked;
    if (n == 0 || n >= total) {
        picked.resize(total);
        for (size_t i = 0; i < total; ++i) picked[i] = i;
        return picked;
    }
    std::map<std::string, std::vector<size_t>> members;  // sorted by stratum name
    for (size_t i = 0; i < total; ++i) members[strata[i]].push_back(i);

    struct Share {
        const std::vector<size_t>* items;
        size_t quota;
        size_t remainder;
        size_t rank;
    };
    std::vector<Share> shares;
    size_t assigned = 0;
    for (const auto& [name, items] : members) {
        const size_t scaled = n * items.size();
        shares.push_back({&items, scaled / total, scaled % total, shares.size()});
        assigned += scaled / total;
    }
    std::vector<Share*> by_remainder;
    for (auto& s : shares) by_remainder.push_back(&s);
    std::stable_sort(by_remainder.begin(), by_remainder.end(),
                     [](const Share* a, const Share* b) { return a->remainder > b->remainder; });
    for (size_t k = 0; assigned < n; ++k, ++assigned) by_remainder[k]->quota += 1;

    for (const auto& s : shares) {
        const auto order = shuffled_indices(s.items->size(), seed * 1000003ULL + s.rank);
        for (size_t k = 0; k < s.quota; ++k) picked.push_back((*s.items)[order[k]]);
    }
    std::sort(picked.begin(), picked.end());
    return picked;
}

}  // namespace remask
