#include "tasks/tau/splits.h"

#include <algorithm>

#include "tasks/sampling.h"

namespace remask::tau {
namespace {

// `size` of `tasks` (0 or more than there are = all), by a seeded shuffle; upstream order kept.
std::vector<TauTask> draw(const std::vector<TauTask>& tasks, int64_t size, uint64_t seed) {
    if (size <= 0 || static_cast<size_t>(size) >= tasks.size()) return tasks;
    std::vector<size_t> order = shuffled_indices(tasks.size(), seed);
    order.resize(static_cast<size_t>(size));
    std::sort(order.begin(), order.end());
    std::vector<TauTask> out;
    for (size_t i : order) out.push_back(tasks[i]);
    return out;
}

// Distinct streams per split, so growing one size never reshuffles another split.
uint64_t salted(int64_t seed, uint64_t salt) {
    return static_cast<uint64_t>(seed) * 0x9E3779B97F4A7C15ULL + salt;
}

}  // namespace

TauSplits tau_optimization_splits(const TauDomain& domain, const TaskSettings& settings) {
    const uint64_t seed = static_cast<uint64_t>(settings.seed);
    TauSplits out;
    if (domain.name == "tau-retail") {
        out.train = draw(domain.split("train"), settings.train_size, salted(settings.seed, 1));
        out.val = draw(domain.split("dev"), settings.val_size, salted(settings.seed, 2));
        out.test = draw(domain.split("test"), settings.test_size, salted(settings.seed, 3));
        return out;
    }
    // Airline: validation comes out of the train half, at most half of it, so minibatches
    // always keep the larger part.
    std::vector<TauTask> half = domain.split("train", seed);
    std::vector<size_t> order = shuffled_indices(half.size(), salted(settings.seed, 2));
    const size_t most = half.size() / 2;
    const size_t val_count =
        settings.val_size <= 0 ? most : std::min(most, static_cast<size_t>(settings.val_size));
    std::vector<size_t> val_index(order.begin(),
                                  order.begin() + static_cast<std::ptrdiff_t>(val_count));
    std::sort(val_index.begin(), val_index.end());
    std::vector<TauTask> rest;
    for (size_t i = 0; i < half.size(); ++i) {
        if (std::binary_search(val_index.begin(), val_index.end(), i))
            out.val.push_back(half[i]);
        else
            rest.push_back(half[i]);
    }
    out.train = draw(rest, settings.train_size, salted(settings.seed, 1));
    out.test = draw(domain.split("test", seed), settings.test_size, salted(settings.seed, 3));
    return out;
}

}  // namespace remask::tau
