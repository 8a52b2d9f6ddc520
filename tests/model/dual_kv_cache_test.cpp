// The dual KV cache: a refresh is exactly forward(), and a partial forward right after it
// equals the full forward's rows to float rounding, for every bidirectional family, in bf16
// and float32 compute.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

struct DualCase {
    const char* fixture;
    const char* compute;  // LoadOptions::compute
    double tolerance;     // relative Frobenius error of the partial forward's logits
};

class DualKvCacheTest : public testing::TestWithParam<DualCase> {
protected:
    std::unique_ptr<Model> load() {
        LoadOptions options;
        options.compute = GetParam().compute;
        return Model::load(test::fixture(GetParam().fixture), options);
    }
    // Two sequences of 24 tokens with masks at 5..8 and 15..17 (mask id where the model has one).
    static std::vector<std::vector<int32_t>> masked_batch(const Model& model, std::vector<int64_t>& masked) {
        const int64_t v = model.vocab_size();
        const int32_t mask = model.config().mask_token_id >= 0 ? int32_t(model.config().mask_token_id) : 3;
        masked = {5, 6, 7, 8, 15, 16, 17};
        std::vector<std::vector<int32_t>> batch = {test::random_ids(24, v, 11), test::random_ids(24, v, 12)};
        for (auto& seq : batch)
            for (int64_t p : masked) seq[p] = mask;
        return batch;
    }
};

TEST_P(DualKvCacheTest, RefreshLogitsAreExactlyForwards) {
    auto model = load();
    std::vector<int64_t> masked;
    auto batch = masked_batch(*model, masked);
    std::vector<float> plain, refreshed;
    model->forward(batch, masked, plain);
    DualKvCache cache;
    model->forward_refresh(batch, masked, refreshed, cache);
    EXPECT_EQ(plain, refreshed);  // bit for bit: kv_refresh = 1 must equal no cache
    EXPECT_EQ(cache.bytes(), model->dual_kv_cache_bytes(2 * 24));
    EXPECT_EQ(cache.stores_bf16(), model->compute_type() == ComputeType::bf16);
}

TEST_P(DualKvCacheTest, PartialRightAfterRefreshEqualsFullRows) {
    auto model = load();
    std::vector<int64_t> masked;
    auto batch = masked_batch(*model, masked);
    std::vector<float> full, partial, ignored;
    model->forward(batch, masked, full);
    DualKvCache cache;
    model->forward_refresh(batch, masked, ignored, cache);
    model->forward_partial(batch, masked, masked, partial, cache);
    const double error = test::relative_error(partial, full);
    std::cout << GetParam().fixture << " compute " << compute_type_name(model->compute_type())
              << " partial vs full: relative error " << error << "\n";
    EXPECT_LT(error, GetParam().tolerance);
    // Rows outside the active set (their logit sources are computed on demand) too.
    model->forward_partial(batch, masked, {0, 9, 23}, partial, cache);
    model->forward(batch, {0, 9, 23}, full);
    EXPECT_LT(test::relative_error(partial, full), GetParam().tolerance);
}

TEST_P(DualKvCacheTest, EveryPositionActiveIsAFullForwardAtAnyState) {
    // With every row recomputed nothing stale is read, so it holds after tokens changed.
    auto model = load();
    std::vector<int64_t> masked;
    auto batch = masked_batch(*model, masked);
    std::vector<float> full, partial, ignored;
    DualKvCache cache;
    model->forward_refresh(batch, masked, ignored, cache);
    for (auto& seq : batch) seq[6] = seq[16] = 42;
    std::vector<int64_t> all(24);
    for (int64_t i = 0; i < 24; ++i) all[i] = i;
    model->forward_partial(batch, all, masked, partial, cache);
    model->forward(batch, masked, full);
    EXPECT_LT(test::relative_error(partial, full), GetParam().tolerance);
}

TEST_P(DualKvCacheTest, PartialForwardNeedsAMatchingRefresh) {
    auto model = load();
    std::vector<int64_t> masked;
    auto batch = masked_batch(*model, masked);
    std::vector<float> out;
    DualKvCache cache;
    EXPECT_THROW(model->forward_partial(batch, masked, masked, out, cache), InputError);
    model->forward_refresh(batch, masked, out, cache);
    EXPECT_THROW(model->forward_partial({batch[0]}, masked, masked, out, cache), InputError);
    EXPECT_THROW(model->forward_partial(batch, {7, 5}, masked, out, cache), InputError);
    EXPECT_THROW(model->forward_partial(batch, {24}, masked, out, cache), InputError);
    cache.clear();
    EXPECT_EQ(cache.bytes(), 0);
}

TEST_P(DualKvCacheTest, StorageKeptBetweenFillsServesOtherShapes) {
    auto model = load();
    std::vector<int64_t> masked;
    auto batch = masked_batch(*model, masked);
    std::vector<float> out, full, partial;
    DualKvCache cache;
    model->forward_refresh(batch, masked, out, cache);
    model->keep_dual_kv_storage(cache);
    EXPECT_TRUE(cache.empty());
    EXPECT_EQ(cache.bytes(), 0);
    // A shorter, single-sequence fill on the kept storage, then a longer one again.
    for (int64_t length : {20, 24}) {
        std::vector<std::vector<int32_t>> one = {std::vector<int32_t>(batch[1].begin(), batch[1].begin() + length)};
        model->forward_refresh(one, masked, out, cache);
        EXPECT_EQ(cache.bytes(), model->dual_kv_cache_bytes(length));
        model->forward_partial(one, masked, masked, partial, cache);
        model->forward(one, masked, full);
        EXPECT_LT(test::relative_error(partial, full), GetParam().tolerance) << "length " << length;
        model->keep_dual_kv_storage(cache);
    }
}

TEST_P(DualKvCacheTest, IdenticalSequencesRunOnceWithTheSameResults) {
    // A fill's K candidates start as copies: forward() and forward_refresh() compute each
    // distinct sequence once and copy its logits and cache entries to the others.
    auto shared = load();
    auto separate = load();
    separate->set_share_identical_sequences(false);
    std::vector<int64_t> masked;
    auto two = masked_batch(*shared, masked);
    std::vector<std::vector<int32_t>> batch = {two[0], two[1], two[0], two[0]};
    std::vector<float> a, b;
    shared->forward(batch, masked, a);
    separate->forward(batch, masked, b);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_LT(test::relative_error(a, b), 1e-6);
    const size_t block = a.size() / 4;
    EXPECT_TRUE(std::equal(a.begin(), a.begin() + block, a.begin() + 2 * block));

    DualKvCache shared_cache, separate_cache;
    std::vector<float> refreshed;
    shared->forward_refresh(batch, masked, refreshed, shared_cache);
    EXPECT_EQ(refreshed, a);  // still exactly forward()'s
    EXPECT_EQ(shared_cache.bytes(), shared->dual_kv_cache_bytes(4 * 24));
    separate->forward_refresh(batch, masked, b, separate_cache);
    // The copies diverge, as candidates do once sampled: every cache entry must be its own.
    batch[2][6] = 42;
    batch[3][16] = 43;
    shared->forward_partial(batch, masked, masked, a, shared_cache);
    separate->forward_partial(batch, masked, masked, b, separate_cache);
    EXPECT_LT(test::relative_error(a, b), 1e-6);
}

std::string case_name(const testing::TestParamInfo<DualCase>& info) {
    std::string name = std::string(info.param.fixture) + "_" + info.param.compute;
    for (char& ch : name)
        if (ch == '-') ch = '_';
    return name;
}

// bf16 compute: the cache holds bf16 keys/values, the full forward float32 ones.
INSTANTIATE_TEST_SUITE_P(Fixtures, DualKvCacheTest,
                         testing::Values(DualCase{"llada-tiny", "f32", 1e-5}, DualCase{"llada-tiny-bf16", "f32", 1e-5},
                                         DualCase{"llada-tiny-bf16", "auto", 2e-2},
                                         DualCase{"llada-variant-tiny", "f32", 1e-5},
                                         DualCase{"dream-tiny", "f32", 1e-5}, DualCase{"dream-tiny-bf16", "f32", 1e-5},
                                         DualCase{"dream-tiny-bf16", "auto", 2e-2},
                                         DualCase{"llada-moe-tiny", "f32", 1e-5}),
                         case_name);

// Forced bf16 compute, where the CPU has a bf16 kernel.
class DualKvCacheBf16Test : public DualKvCacheTest {};
TEST_P(DualKvCacheBf16Test, PartialRightAfterRefreshEqualsFullRows) {
    if (!compute_type_supported(ComputeType::bf16)) GTEST_SKIP() << "no bf16 kernel on this CPU";
    auto model = load();
    ASSERT_EQ(model->compute_type(), ComputeType::bf16);
    std::vector<int64_t> masked;
    auto batch = masked_batch(*model, masked);
    std::vector<float> full, partial, refreshed;
    model->forward(batch, masked, full);
    DualKvCache cache;
    model->forward_refresh(batch, masked, refreshed, cache);
    EXPECT_EQ(full, refreshed);
    EXPECT_TRUE(cache.stores_bf16());
    model->forward_partial(batch, masked, masked, partial, cache);
    EXPECT_LT(test::relative_error(partial, full), GetParam().tolerance);
}
INSTANTIATE_TEST_SUITE_P(Bf16, DualKvCacheBf16Test,
                         testing::Values(DualCase{"llada-tiny-bf16", "bf16", 2e-2}, DualCase{"dream-tiny-bf16", "bf16", 2e-2},
                                         DualCase{"llada-tiny", "bf16", 2e-2},
                                         DualCase{"llada-moe-tiny-bf16", "bf16", 2e-2}),
                         case_name);

TEST(DualKvCache, CausalModelsRefuseIt) {
    auto model = Model::load(test::fixture("qwen2-tiny"));
    DualKvCache cache;
    std::vector<float> out;
    EXPECT_THROW(model->forward_refresh({{1, 2, 3}}, {}, out, cache), InputError);
}

TEST(DualKvCache, ActivationBytesCountTheCache) {
    auto model = Model::load(test::fixture("llada-tiny"));
    EXPECT_EQ(model->activation_bytes(100, 10, true) - model->activation_bytes(100, 10),
              model->dual_kv_cache_bytes(100));
    const ModelConfig& c = model->config();
    EXPECT_EQ(model->dual_kv_cache_bytes(100), c.num_layers * 100 * 2 * c.num_kv_heads * c.head_dim * 4);
}

}  // namespace
}  // namespace remask
