// Self-consistency of the engine: batching, row selection, the KV cache, and the
// config facts other areas rely on.

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "model/model.h"
#include "model/model_logits_source.h"
#include "test_support.h"

namespace remask {
namespace {

class ForwardTest : public testing::TestWithParam<const char*> {};

TEST_P(ForwardTest, BatchedEqualsUnbatched) {
    auto model = Model::load(test::fixture(GetParam()));
    std::vector<std::vector<int32_t>> batch;
    for (unsigned s = 0; s < 3; ++s) batch.push_back(test::random_ids(10, model->vocab_size(), 100 + s));
    const std::vector<int64_t> rows = {0, 4, 9};
    std::vector<float> together;
    model->forward(batch, rows, together);
    const int64_t per_sequence = 3 * model->vocab_size();
    ASSERT_EQ(together.size(), static_cast<size_t>(3 * per_sequence));
    for (int64_t b = 0; b < 3; ++b) {
        std::vector<float> alone;
        model->forward({batch[b]}, rows, alone);
        EXPECT_LT(test::relative_error(together.data() + b * per_sequence, alone.data(), per_sequence), 1e-6)
            << "sequence " << b;
    }
}

// The dense MLP runs 512 rows per pass (model.cpp): 3 × 200 rows take two passes, the second
// starting inside sequence 2, and give what each sequence alone (one pass) gives.
TEST_P(ForwardTest, MlpPassesOverLongBatchesChangeNothing) {
    auto model = Model::load(test::fixture(GetParam()));
    std::vector<std::vector<int32_t>> batch;
    for (unsigned s = 0; s < 3; ++s) batch.push_back(test::random_ids(200, model->vocab_size(), 300 + s));
    const std::vector<int64_t> rows = {0, 111, 199};
    std::vector<float> together;
    model->forward(batch, rows, together);
    const int64_t per_sequence = 3 * model->vocab_size();
    for (int64_t b = 0; b < 3; ++b) {
        std::vector<float> alone;
        model->forward({batch[b]}, rows, alone);
        EXPECT_LT(test::relative_error(together.data() + b * per_sequence, alone.data(), per_sequence), 1e-6)
            << "sequence " << b;
    }
}

TEST_P(ForwardTest, RowsSubsetEqualsSameRowsOfFullOutput) {
    auto model = Model::load(test::fixture(GetParam()));
    const auto ids = test::random_ids(8, model->vocab_size(), 5);
    const int64_t v = model->vocab_size();
    std::vector<float> all, some;
    model->forward({ids}, {}, all);
    const std::vector<int64_t> rows = {7, 2, 2, 0};
    model->forward({ids}, rows, some);
    ASSERT_EQ(some.size(), rows.size() * v);
    // Equal to float rounding: the product library may block another row count differently
    // (its AVX2 kernels do; the AVX-512 ones give identical bits).
    for (size_t j = 0; j < rows.size(); ++j)
        for (int64_t t = 0; t < v; ++t) {
            const float want = all[rows[j] * v + t];
            ASSERT_NEAR(some[j * v + t], want, 1e-5f * (1 + std::fabs(want))) << "row " << rows[j];
        }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ForwardTest,
                         testing::Values("llada-tiny", "dream-tiny", "qwen2-tiny-bf16", "llama-tiny", "llada-moe-tiny"),
                         [](const testing::TestParamInfo<const char*>& info) {
                             std::string name = info.param;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

class KvCacheTest : public testing::TestWithParam<const char*> {};

TEST_P(KvCacheTest, DecodingMatchesFullRecomputation) {
    auto model = Model::load(test::fixture(GetParam()));
    const int64_t v = model->vocab_size();
    std::vector<std::vector<int32_t>> seqs = {test::random_ids(12, v, 1), test::random_ids(12, v, 2)};
    auto cache = model->new_cache(2, 12);
    std::vector<float> step;
    // Prefill 5 tokens, then 1, 1, 2, 3 tokens at a time.
    int64_t done = 0;
    for (int64_t n : {5, 1, 1, 2, 3}) {
        std::vector<std::vector<int32_t>> chunk;
        for (const auto& s : seqs) chunk.emplace_back(s.begin() + done, s.begin() + done + n);
        model->forward_cached(*cache, chunk, step);
        done += n;
        ASSERT_EQ(cache->length(), done);
        std::vector<std::vector<int32_t>> prefix;
        for (const auto& s : seqs) prefix.emplace_back(s.begin(), s.begin() + done);
        std::vector<float> full;
        model->forward(prefix, {done - 1}, full);
        EXPECT_LT(test::relative_error(step, full), 1e-5) << "after " << done << " tokens";
    }
    EXPECT_THROW(model->forward_cached(*cache, {{1}, {2}}, step), InputError);  // full
}

INSTANTIATE_TEST_SUITE_P(Causal, KvCacheTest,
                         testing::Values("qwen2-tiny", "llama-tiny-bf16", "llama-variant-tiny"),
                         [](const testing::TestParamInfo<const char*>& info) {
                             std::string name = info.param;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(Forward, BidirectionalModelsRefuseKvCache) {
    auto model = Model::load(test::fixture("dream-tiny"));
    EXPECT_THROW(model->new_cache(1, 8), InputError);
}

TEST(Forward, BadIdsRowsAndRaggedBatchesAreInputErrors) {
    auto model = Model::load(test::fixture("llama-tiny"));
    std::vector<float> out;
    EXPECT_THROW(model->forward({{1, 2, static_cast<int32_t>(model->vocab_size())}}, {}, out), InputError);
    EXPECT_THROW(model->forward({{1, -1}}, {}, out), InputError);
    EXPECT_THROW(model->forward({{1, 2, 3}}, {3}, out), InputError);
    EXPECT_THROW(model->forward({{1, 2, 3}, {1, 2}}, {}, out), InputError);
    EXPECT_THROW(model->forward({}, {}, out), InputError);
}

TEST(Forward, ConfigExposesFamilyFacts) {
    auto llada = Model::load(test::fixture("llada-tiny"));
    EXPECT_EQ(llada->config().family, Family::llada);
    EXPECT_TRUE(llada->config().bidirectional());
    EXPECT_FALSE(llada->config().shift_logits);
    EXPECT_EQ(llada->config().mask_token_id, 497);
    EXPECT_EQ(llada->config().vocab_size, 512);  // embedding_size, not vocab_size (500)
    EXPECT_EQ(llada->config().eos_token_ids, std::vector<int64_t>{498});

    auto dream = Model::load(test::fixture("dream-tiny"));
    EXPECT_EQ(dream->config().family, Family::dream);
    EXPECT_EQ(dream->config().model_type, "Dream");
    EXPECT_TRUE(dream->config().bidirectional());
    EXPECT_TRUE(dream->config().shift_logits);
    EXPECT_EQ(dream->config().mask_token_id, 597);

    auto qwen = Model::load(test::fixture("qwen2-tiny"));
    EXPECT_TRUE(qwen->config().causal);
    EXPECT_TRUE(qwen->config().tied_head);
    EXPECT_EQ(qwen->config().mask_token_id, -1);

    auto llama = Model::load(test::fixture("llama-variant-tiny"));
    EXPECT_EQ(llama->config().head_dim, 16);
    EXPECT_EQ(llama->config().rope_scaling, "llama3");
    EXPECT_EQ(llama->config().eos_token_ids, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(llama->weight_dtype(), "f32");
}

TEST(Forward, LogitsSourceCountsPassesAndMatchesModel) {
    ModelLogitsSource source(Model::load(test::fixture("dream-tiny")));
    const auto ids = test::random_ids(6, source.vocab_size(), 3);
    std::vector<float> a, b;
    source.logits({ids, ids}, {1, 5}, a);
    source.model().forward({ids, ids}, {1, 5}, b);
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.size(), static_cast<size_t>(2 * 2 * source.vocab_size()));
    EXPECT_EQ(source.forward_passes(), 1);
}

}  // namespace
}  // namespace remask
