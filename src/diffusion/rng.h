#pragma once
// Deterministic random numbers for the samplers, independent of thread count and of the
// order in which work is done.
//
//   KeyedRng rng(seed);
//   RandomStream s = rng.stream(step, row, position, RandomPurpose::token);
//   double u = s.uniform();          // [0, 1), 53 random bits
//   double g = s.gumbel();           // -log(-log(u)), u in (0, 1)
//
// Every draw is keyed by (seed, step, row, position, purpose), so a position's noise is the
// same whether it is computed first or last, on one thread or many. No std:: distributions
// (their output differs between standard libraries).

#include <cmath>
#include <cstdint>

namespace remask {

// What a stream's draws are used for; part of the key so two uses never share noise.
enum class RandomPurpose : uint64_t {
    token = 1,     // choosing a token at a position (Gumbel keys, categorical draws)
    remask = 2,    // LLaDA `random` remasking confidence
    transfer = 3,  // Dream `origin`: whether a position is revealed this step
    position = 4,  // Dream alg_temp > 0: sampling which positions to reveal
};

// SplitMix64 finalizer: a bijective 64-bit mix with good avalanche.
inline uint64_t splitmix64_mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A sequential SplitMix64 generator.
class RandomStream {
public:
    explicit RandomStream(uint64_t state) : state_(state) {}

    uint64_t next_u64() {
        state_ += 0x9e3779b97f4a7c15ULL;
        return splitmix64_mix(state_);
    }
    // Uniform in [0, 1) from the top 53 bits: every value is a multiple of 2^-53.
    double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
    // Uniform in (0, 1): never 0, so logarithms stay finite.
    double uniform_open() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
    // Standard Gumbel noise, in double precision.
    double gumbel() { return -std::log(-std::log(uniform_open())); }

private:
    uint64_t state_;
};

class KeyedRng {
public:
    explicit KeyedRng(uint64_t seed) : seed_(seed) {}

    uint64_t seed() const { return seed_; }

    RandomStream stream(int64_t step, int64_t row, int64_t position, RandomPurpose purpose) const {
        uint64_t h = splitmix64_mix(seed_ ^ 0x6a09e667f3bcc909ULL);
        h = splitmix64_mix(h ^ static_cast<uint64_t>(purpose));
        h = splitmix64_mix(h ^ static_cast<uint64_t>(step));
        h = splitmix64_mix(h ^ static_cast<uint64_t>(row));
        h = splitmix64_mix(h ^ static_cast<uint64_t>(position));
        return RandomStream(h);
    }

private:
    uint64_t seed_;
};

}  // namespace remask
