// The mixture-of-experts MLP (LLaDA-MoE): routing rules, the grouped per-expert products
// against the row-by-row reference on routings chosen to hit the edge cases, and the
// llada-moe family's facts on the tiny checkpoint.

#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "core/error.h"
#include "model/model.h"
#include "model/moe_mlp.h"
#include "test_support.h"

namespace remask {
namespace {

// Random float32 experts over hidden size d; h rows with a constant dimension 0 (= 3), so a
// router row with a large weight there wins (or loses) on every row.
struct TinyMoe {
    int64_t d = 16, f = 8, experts = 4, top_k = 2, rows = 9;
    std::vector<std::vector<float>> storage;
    LayerWeights weights;
    std::vector<float> h;

    TinyMoe(int64_t experts_, int64_t top_k_) : experts(experts_), top_k(top_k_) {
        std::mt19937 rng(5);
        std::normal_distribution<float> normal(0.0f, 1.0f);
        auto matrix = [&](int64_t r, int64_t c, float scale) {
            storage.emplace_back(r * c);
            for (float& v : storage.back()) v = normal(rng) * scale;
            return Weight{DType::f32, storage.back().data(), r, c};
        };
        storage.reserve(1 + 3 * experts);
        weights.router = matrix(experts, d, 1.0f);
        for (int64_t e = 0; e < experts; ++e) {
            weights.expert_gate.push_back(matrix(f, d, 0.3f));
            weights.expert_up.push_back(matrix(f, d, 0.3f));
            weights.expert_down.push_back(matrix(d, f, 0.3f));
        }
        h.resize(rows * d);
        for (float& v : h) v = normal(rng);
        for (int64_t r = 0; r < rows; ++r) h[r * d] = 3.0f;
    }
    float* router_row(int64_t e) {
        return const_cast<float*>(static_cast<const float*>(weights.router.data)) + e * d;
    }

    ModelConfig config(bool normalize = false) const {
        ModelConfig c;
        c.hidden_size = d;
        c.ffn_size = f;
        c.num_experts = experts;
        c.experts_per_token = top_k;
        c.normalize_expert_weights = normalize;
        return c;
    }
    // x0 + grouped MoE and x0 + reference MoE for the same x0; returns rows per expert.
    std::vector<int64_t> compare(ComputeType type, double tolerance, bool normalize = false) {
        std::vector<float> x0(rows * d);
        std::iota(x0.begin(), x0.end(), 0.0f);
        for (float& v : x0) v = 0.01f * v;
        std::vector<float> fast = x0, slow = x0;
        MoeScratch scratch;
        MoeMlp::pack(weights, config(normalize), type).apply(h.data(), rows, fast.data(), scratch);
        moe_mlp_reference(weights.router, weights.expert_gate, weights.expert_up,
                          weights.expert_down, top_k, normalize, h.data(), rows, slow.data());
        for (size_t i = 0; i < x0.size(); ++i) {
            fast[i] -= x0[i];
            slow[i] -= x0[i];
        }
        EXPECT_LT(test::relative_error(fast, slow), tolerance) << compute_type_name(type);
        return scratch.rows_per_expert;
    }
};

TEST(MoeRouting, TiesGoToTheLowerExpertIndex) {
    const float logits[] = {0.5f, 2.0f, 2.0f, -1.0f, 2.0f};
    ExpertChoice out[2];
    route_experts(logits, 1, 5, 2, false, out);
    EXPECT_EQ(out[0].expert, 1);
    EXPECT_EQ(out[1].expert, 2);
    EXPECT_FLOAT_EQ(out[0].weight, out[1].weight);
}

TEST(MoeRouting, WeightsAreSoftmaxOverAllExpertsUnlessNormalised) {
    const float logits[] = {1.0f, 0.0f, 2.0f, -3.0f};
    double total = 0;
    for (float l : logits) total += std::exp(double(l));
    ExpertChoice out[2];
    route_experts(logits, 1, 4, 2, false, out);
    EXPECT_EQ(out[0].expert, 2);
    EXPECT_EQ(out[1].expert, 0);
    EXPECT_NEAR(out[0].weight, std::exp(2.0) / total, 1e-6);
    EXPECT_NEAR(out[1].weight, std::exp(1.0) / total, 1e-6);
    route_experts(logits, 1, 4, 2, true, out);
    EXPECT_NEAR(out[0].weight + out[1].weight, 1.0, 1e-6);
    EXPECT_NEAR(out[0].weight / out[1].weight, std::exp(1.0), 1e-5);
}

TEST(MoeRouting, TopKEqualToExpertCountTakesEveryExpertOnce) {
    const float logits[] = {0.3f, -0.2f, 0.3f, 1.5f, 0.0f, 0.1f};  // rows 0 and 1 share these
    std::vector<float> two_rows(logits, logits + 6);
    two_rows.insert(two_rows.end(), logits, logits + 6);
    std::vector<ExpertChoice> out(12);
    route_experts(two_rows.data(), 2, 6, 6, false, out.data());
    std::vector<int32_t> order;
    double sum = 0;
    for (int j = 0; j < 6; ++j) {
        order.push_back(out[j].expert);
        sum += out[j].weight;
        EXPECT_EQ(out[6 + j].expert, out[j].expert);
    }
    EXPECT_EQ(order, (std::vector<int32_t>{3, 0, 2, 5, 4, 1}));
    EXPECT_NEAR(sum, 1.0, 1e-6);
}

TEST(MoeMlp, GroupedEqualsReferenceOnRandomRouting) {
    TinyMoe moe(4, 2);
    const auto rows = moe.compare(ComputeType::f32, 1e-5);
    EXPECT_EQ(std::accumulate(rows.begin(), rows.end(), int64_t(0)), moe.rows * moe.top_k);
    EXPECT_EQ(moe.compare(ComputeType::f32, 1e-5, /*normalize=*/true), rows);
}

TEST(MoeMlp, AnExpertWithEveryRowAndOneWithNone) {
    TinyMoe moe(4, 2);
    moe.router_row(1)[0] = 10.0f;   // h[0] = 3 on every row: expert 1 always first
    moe.router_row(3)[0] = -10.0f;  // ... and expert 3 never chosen
    const auto rows = moe.compare(ComputeType::f32, 1e-5);
    EXPECT_EQ(rows[1], moe.rows);
    EXPECT_EQ(rows[3], 0);
    EXPECT_EQ(rows[0] + rows[2], moe.rows);
}

TEST(MoeMlp, TiedRouterScoresPickTheLowerExpert) {
    TinyMoe moe(4, 2);
    moe.router_row(0)[0] = 10.0f;  // expert 0 always first
    std::copy(moe.router_row(1), moe.router_row(1) + moe.d,
              moe.router_row(2));                        // experts 1 and 2 tie
    moe.router_row(1)[0] = moe.router_row(2)[0] = 5.0f;  // ... and beat expert 3 on every row
    moe.router_row(3)[0] = -10.0f;
    const auto rows = moe.compare(ComputeType::f32, 1e-5);
    EXPECT_EQ(rows, (std::vector<int64_t>{moe.rows, moe.rows, 0, 0}));
}

TEST(MoeMlp, TopKEqualToExpertCount) {
    TinyMoe moe(3, 3);
    const auto rows = moe.compare(ComputeType::f32, 1e-5);
    EXPECT_EQ(rows, (std::vector<int64_t>{moe.rows, moe.rows, moe.rows}));
}

TEST(MoeMlp, Bf16AndInt8ExpertsStayCloseToReference) {
    TinyMoe moe(4, 2);
    moe.router_row(3)[0] = -10.0f;
    if (compute_type_supported(ComputeType::bf16)) moe.compare(ComputeType::bf16, 1e-2);
    if (compute_type_supported(ComputeType::int8)) moe.compare(ComputeType::int8, 4e-2);
}

TEST(LladaMoe, FamilyFactsFromConfig) {
    auto model = Model::load(test::fixture("llada-moe-tiny"));
    const ModelConfig& c = model->config();
    EXPECT_EQ(c.family, Family::llada_moe);
    EXPECT_EQ(family_name(c.family), "llada-moe");
    EXPECT_EQ(c.model_type, "llada");
    EXPECT_FALSE(c.causal);
    EXPECT_FALSE(c.shift_logits);
    EXPECT_TRUE(c.qk_norm && c.qk_norm_per_head);
    EXPECT_EQ(c.num_experts, 6);
    EXPECT_EQ(c.experts_per_token, 2);
    EXPECT_EQ(c.ffn_size, 32);
    EXPECT_FALSE(c.normalize_expert_weights);
    EXPECT_EQ(c.mask_token_id, 397);
    // d 48, 4 heads (12 each), 2 kv heads, 2 layers, vocab 400, untied head.
    const int64_t attention = 48 * 48 + 2 * 24 * 48 + 48 * 48 + 2 * 12 + 2 * 48;
    const int64_t expert = 3 * 48 * 32, router = 6 * 48;
    const int64_t total = 2 * 400 * 48 + 48 + 2 * (attention + router + 6 * expert);
    EXPECT_EQ(model->parameter_count(), total);
    EXPECT_EQ(model->active_parameter_count(), total - 2 * 4 * expert);
}

TEST(LladaMoe, MaskIdDefaultsOnlyWhereTheVocabularyHasIt) {
    const std::string dir = test::copy_fixture("llada-moe-tiny");
    nlohmann::json config;
    std::ifstream(dir + "/config.json") >> config;
    config.erase("mask_token_id");
    std::ofstream(dir + "/config.json") << config.dump(2);
    EXPECT_EQ(read_model_config(dir).mask_token_id,
              -1);  // 156895 is outside a 400-token vocabulary
    config["vocab_size"] = 157184;
    EXPECT_EQ(parse_model_config(config, dir + "/config.json").mask_token_id, 156895);
    config["architectures"] = {"LLaDAModelLM"};  // the dense model's name: not this family
    EXPECT_THROW(parse_model_config(config, dir + "/config.json"), InputError);
}

TEST(LladaMoe, MissingExpertTensorIsNamed) {
    const std::string dir = test::copy_fixture("llada-moe-tiny");
    nlohmann::json index;
    std::ifstream(dir + "/model.safetensors.index.json") >> index;
    index["weight_map"].erase("model.layers.1.mlp.experts.3.up_proj.weight");
    std::ofstream(dir + "/model.safetensors.index.json") << index.dump();
    try {
        Model::load(dir);
        FAIL() << "loaded without an expert";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("model.layers.1.mlp.experts.3.up_proj.weight"),
                  std::string::npos)
            << e.what();
    }
}

TEST(LladaMoe, Bf16ComputeMatchesReference) {
    if (!compute_type_supported(ComputeType::bf16)) GTEST_SKIP() << "no bf16 kernel on this CPU";
    LoadOptions options;
    options.compute = "bf16";
    auto model = Model::load(test::fixture("llada-moe-tiny-bf16"), options);
    ASSERT_EQ(model->compute_type(), ComputeType::bf16);
    const auto ids = test::random_ids(13, model->vocab_size(), 7);
    const NpyArray ref = test::reference_logits(test::fixture("llada-moe-tiny-bf16"), ids);
    std::vector<float> logits;
    model->forward({ids}, {}, logits);
    const double error = test::relative_error(logits, ref.data);
    std::cout << "llada-moe-tiny-bf16 compute bf16: relative error " << error << "\n";
    EXPECT_LT(error, 1e-2);
}

}  // namespace
}  // namespace remask
