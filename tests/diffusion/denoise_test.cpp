// Promises every sampler keeps, checked through the shared loop with make_sampler.
#include "diffusion/denoise.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "core/thread_pool.h"
#include "diffusion/sampler_factory.h"
#include "fake_sources.h"

namespace remask {
namespace {

using testing::ScriptedSource;
constexpr int32_t kMask = 5;  // inside the vocab, with the highest logit everywhere
constexpr int64_t kVocab = 12;

ScriptedSource noisy_source() {
    return ScriptedSource(kVocab, [](int64_t call, const std::vector<int32_t>& x, size_t b, int64_t p, float* out) {
        for (int64_t v = 0; v < kVocab; ++v) {
            out[v] = float((p * 13 + v * 7 + call * 3 + int64_t(b) + x[size_t((p + 1) % int64_t(x.size()))]) % 11) * 0.4f;
        }
        out[kMask] = 100.0f;  // a model that loves its mask token must still never write it
    });
}

// Text with three masked spans.
std::vector<int32_t> infill_input() {
    std::vector<int32_t> x = {1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 6, 7, 8, 9, 10};
    for (size_t p : {2u, 3u, 4u, 9u, 10u, 15u, 16u, 17u, 18u}) x[p] = kMask;
    return x;
}

struct Case {
    const char* name;
    SamplingOptions options;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class EverySampler : public ::testing::TestWithParam<Case> {};

SamplingOptions with(std::string sampler, double temperature, double threshold = 0.0, double alg_temp = 0.0) {
    SamplingOptions o;
    o.sampler = std::move(sampler);
    o.steps = 6;
    o.temperature = temperature;
    o.threshold = threshold;
    o.alg_temp = alg_temp;
    return o;
}

TEST_P(EverySampler, FillsOnlyMaskedPositionsAndLeavesNoMask) {
    ScriptedSource source = noisy_source();
    const std::vector<int32_t> input = infill_input();
    std::vector<std::vector<int32_t>> batch(3, input);
    auto sampler = make_sampler(GetParam().options);
    DenoiseOptions o;
    o.mask_id = kMask;
    o.seed = 17;
    o.record_trace = true;
    DenoiseResult r = denoise(source, *sampler, batch, o);

    EXPECT_EQ(r.steps, source.forward_passes());
    EXPECT_EQ(r.trace.size(), size_t(r.steps));
    EXPECT_LE(r.steps, 6);
    for (const auto& row : batch) {
        ASSERT_EQ(row.size(), input.size());
        for (size_t p = 0; p < row.size(); ++p) {
            EXPECT_NE(row[p], kMask) << "mask left at " << p;
            if (input[p] != kMask) {
                EXPECT_EQ(row[p], input[p]) << "unmasked token changed at " << p;
            }
        }
    }
    // Each call: the whole batch at once, asking only for positions still masked somewhere.
    std::vector<std::vector<int32_t>> state(3, input);
    for (size_t c = 0; c < source.calls.size(); ++c) {
        const testing::RecordedCall& call = source.calls[c];
        EXPECT_EQ(call.tokens, state);
        std::set<int64_t> masked_somewhere;
        for (const auto& row : state) {
            for (size_t p = 0; p < row.size(); ++p) {
                if (row[p] == kMask) masked_somewhere.insert(int64_t(p));
            }
        }
        for (int64_t p : call.rows) EXPECT_TRUE(masked_somewhere.count(p)) << "row " << p << " was not masked";
        EXPECT_TRUE(std::is_sorted(call.rows.begin(), call.rows.end()));
        for (size_t b = 0; b < 3; ++b) {
            for (const Reveal& rv : r.trace[c].rows[b]) state[b][size_t(rv.position)] = rv.token;
        }
    }
    EXPECT_EQ(state, batch) << "the trace replays to the result";
}

TEST_P(EverySampler, SameSeedSameOutputWhateverTheThreadCount) {
    auto run = [&](ThreadPool* pool, uint64_t seed) {
        ScriptedSource source = noisy_source();
        std::vector<std::vector<int32_t>> batch(2, infill_input());
        auto sampler = make_sampler(GetParam().options);
        DenoiseOptions o;
        o.mask_id = kMask;
        o.seed = seed;
        o.pool = pool;
        denoise(source, *sampler, batch, o);
        return batch;
    };
    ThreadPool two(2), four(4);
    const auto reference = run(nullptr, 3);
    EXPECT_EQ(run(&two, 3), reference);
    EXPECT_EQ(run(&four, 3), reference);
}

INSTANTIATE_TEST_SUITE_P(
    Samplers, EverySampler,
    ::testing::Values(Case{"low_confidence", with("low_confidence", 0.0)},
                      Case{"low_confidence_hot", with("low_confidence", 0.8)},
                      Case{"random", with("random", 0.5)},
                      Case{"origin", with("origin", 0.7)},
                      Case{"maskgit_plus", with("maskgit_plus", 0.0)},
                      Case{"topk_margin_hot", with("topk_margin", 1.0)},
                      Case{"entropy_alg_temp", with("entropy", 0.5, 0.0, 0.3)},
                      Case{"threshold", with("low_confidence", 0.0, 0.3)}),
    [](const ::testing::TestParamInfo<Case>& info) { return std::string(info.param.name); });

TEST(Denoise, AModelWithoutAMaskTokenIsAnError) {
    ScriptedSource source = noisy_source();
    std::vector<std::vector<int32_t>> batch = {infill_input()};
    auto sampler = make_sampler(SamplingOptions{});
    DenoiseOptions o;
    o.mask_id = -1;
    try {
        denoise(source, *sampler, batch, o);
        FAIL() << "expected an error";
    } catch (const InputError& e) {
        EXPECT_EQ(e.subject(), "model");
        EXPECT_NE(e.detail().find("no mask token"), std::string::npos);
    }
    EXPECT_TRUE(source.calls.empty());
}

TEST(Denoise, RowsOfDifferentLengthsAreAnError) {
    ScriptedSource source = noisy_source();
    std::vector<std::vector<int32_t>> batch = {{1, kMask}, {1, kMask, 2}};
    auto sampler = make_sampler(SamplingOptions{});
    DenoiseOptions o;
    o.mask_id = kMask;
    EXPECT_THROW(denoise(source, *sampler, batch, o), InputError);
}

TEST(Denoise, NothingMaskedMeansNoForwardPass) {
    ScriptedSource source = noisy_source();
    std::vector<std::vector<int32_t>> batch = {{1, 2, 3}};
    auto sampler = make_sampler(SamplingOptions{});
    DenoiseOptions o;
    o.mask_id = kMask;
    EXPECT_EQ(denoise(source, *sampler, batch, o).steps, 0);
    EXPECT_TRUE(source.calls.empty());
}

TEST(SamplerFactory, NamesAndOptionsAreChecked) {
    SamplingOptions o;
    for (const std::string& name : sampler_names()) {
        o.sampler = name;
        EXPECT_EQ(make_sampler(o)->name(), name);
    }
    o.sampler = "greedy";
    EXPECT_THROW(make_sampler(o), UsageError);
    o.sampler = "entropy";
    o.threshold = 0.9;
    EXPECT_THROW(make_sampler(o), UsageError);
    o.sampler = "low_confidence";
    EXPECT_EQ(make_sampler(o)->name(), "threshold");
    o.threshold = 0.0;
    o.top_k = 5;
    EXPECT_THROW(make_sampler(o), UsageError);
    o.sampler = "origin";
    o.block_length = 32;
    EXPECT_THROW(make_sampler(o), UsageError);
}

}  // namespace
}  // namespace remask
