// A broken model folder or an unsupported config fails Model::load with one InputError
// that names the file, key or tensor at fault.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

std::string folder_load_error(const std::string& dir) {
    try {
        Model::load(dir);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

// Copies a fixture and applies `edit` to its config.json.
std::string with_config(const std::string& fixture, const std::function<void(nlohmann::json&)>& edit) {
    const std::string dir = test::copy_fixture(fixture);
    nlohmann::json config;
    std::ifstream(dir + "/config.json") >> config;
    edit(config);
    std::ofstream(dir + "/config.json") << config.dump(2);
    return dir;
}

#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST(LoadErrors, MissingFolderAndConfig) {
    EXPECT_CONTAINS(folder_load_error("/nonexistent/model"), "no such directory");
    const std::string dir = test::copy_fixture("qwen2-tiny");
    std::filesystem::remove(dir + "/config.json");
    EXPECT_CONTAINS(folder_load_error(dir), "config.json");
}

TEST(LoadErrors, NoWeights) {
    const std::string dir = test::copy_fixture("qwen2-tiny");
    std::filesystem::remove(dir + "/model.safetensors");
    EXPECT_CONTAINS(folder_load_error(dir), "no model.safetensors");
}

TEST(LoadErrors, MissingShardNamesIt) {
    const std::string dir = test::copy_fixture("llada-tiny");
    std::filesystem::remove(dir + "/model-00002-of-00003.safetensors");
    const std::string error = folder_load_error(dir);
    EXPECT_CONTAINS(error, "model-00002-of-00003.safetensors");
    EXPECT_CONTAINS(error, "missing shard");
}

TEST(LoadErrors, IndexListsTensorAShardLacks) {
    const std::string dir = test::copy_fixture("llada-tiny");
    nlohmann::json index;
    std::ifstream(dir + "/model.safetensors.index.json") >> index;
    index["weight_map"]["model.transformer.extra.weight"] = "model-00001-of-00003.safetensors";
    std::ofstream(dir + "/model.safetensors.index.json") << index.dump();
    const std::string error = folder_load_error(dir);
    EXPECT_CONTAINS(error, "model-00001-of-00003.safetensors");
    EXPECT_CONTAINS(error, "'model.transformer.extra.weight' is listed");
}

TEST(LoadErrors, CorruptIndexAndConfigJson) {
    const std::string dir = test::copy_fixture("llada-tiny");
    std::ofstream(dir + "/model.safetensors.index.json") << "{\"weight_map\": [";
    EXPECT_CONTAINS(folder_load_error(dir), "model.safetensors.index.json: not valid JSON");
    std::ofstream(dir + "/config.json") << "[1, 2]";
    EXPECT_CONTAINS(folder_load_error(dir), "config.json: not a JSON object");
}

TEST(LoadErrors, ShardedModelLoadsAcrossShards) {
    auto model = Model::load(test::fixture("llada-tiny"));
    EXPECT_EQ(model->config().num_layers, 2);
}

TEST(LoadErrors, WrongShapeTensorNamesTensorAndFile) {
    // The config claims a wider FFN than the tensors hold.
    const std::string dir = with_config("llama-tiny", [](nlohmann::json& c) { c["intermediate_size"] = 100; });
    const std::string error = folder_load_error(dir);
    EXPECT_CONTAINS(error, "model.layers.0.mlp.gate_proj.weight");
    EXPECT_CONTAINS(error, "has shape [96, 64]");
    EXPECT_CONTAINS(error, "model.safetensors");
}

TEST(LoadErrors, MissingTensorNamesIt) {
    // An untied head is expected but the checkpoint (tied) has no lm_head.
    const std::string dir = with_config("qwen2-tiny", [](nlohmann::json& c) { c["tie_word_embeddings"] = false; });
    const std::string error = folder_load_error(dir);
    EXPECT_CONTAINS(error, "tensor 'lm_head.weight'");
    EXPECT_CONTAINS(error, "missing");
}

TEST(LoadErrors, UnknownModelType) {
    const std::string dir = with_config("llama-tiny", [](nlohmann::json& c) { c["model_type"] = "mamba"; });
    const std::string error = folder_load_error(dir);
    EXPECT_CONTAINS(error, "config.json: model_type");
    EXPECT_CONTAINS(error, "unknown model type 'mamba'");
}

TEST(LoadErrors, FamilyFromArchitecturesWhenModelTypeAbsent) {
    const std::string dir = with_config("dream-tiny", [](nlohmann::json& c) { c.erase("model_type"); });
    auto model = Model::load(dir);
    EXPECT_EQ(model->config().family, Family::dream);
    EXPECT_TRUE(model->config().shift_logits);
}

struct FlagCase {
    const char* fixture;
    const char* key;
    nlohmann::json value;
};

void PrintTo(const FlagCase& c, std::ostream* os) { *os << c.fixture << " " << c.key << "=" << c.value.dump(); }

class UnsupportedFlagTest : public testing::TestWithParam<FlagCase> {};

TEST_P(UnsupportedFlagTest, RefusedWithKeyNamed) {
    const FlagCase c = GetParam();
    const std::string dir = with_config(c.fixture, [&](nlohmann::json& j) { j[c.key] = c.value; });
    const std::string error = folder_load_error(dir);
    EXPECT_CONTAINS(error, std::string("config.json: ") + c.key);
}

INSTANTIATE_TEST_SUITE_P(
    Flags, UnsupportedFlagTest,
    testing::Values(FlagCase{"llada-tiny", "alibi", true}, FlagCase{"llada-tiny", "rope", false},
                    FlagCase{"llada-tiny", "block_type", "sequential"},
                    FlagCase{"llada-tiny", "layer_norm_type", "default"},
                    FlagCase{"llada-tiny", "activation_type", "gelu"},
                    FlagCase{"llada-tiny", "clip_qkv", 8.0},
                    FlagCase{"llada-tiny", "multi_query_attention", true},
                    FlagCase{"qwen2-tiny", "use_sliding_window", true},
                    FlagCase{"qwen2-tiny", "hidden_act", "gelu"},
                    FlagCase{"llama-tiny", "rope_scaling",
                             nlohmann::json{{"rope_type", "yarn"}, {"factor", 8.0}}},
                    FlagCase{"llama-tiny", "rope_scaling", nlohmann::json{{"rope_type", "llama3"}}},
                    FlagCase{"dream-tiny", "num_key_value_heads", 3},
                    FlagCase{"dream-tiny", "hidden_size", "wide"},
                    FlagCase{"llada-moe-tiny", "shared_expert_intermediate_size", 64},
                    FlagCase{"llada-moe-tiny", "moe_layer_freq", nlohmann::json::array({1, 0})},
                    FlagCase{"llada-moe-tiny", "moe_router_enable_expert_bias", true},
                    FlagCase{"llada-moe-tiny", "moe_router_score_function", "sigmoid"},
                    FlagCase{"llada-moe-tiny", "partial_rotary_factor", 0.5},
                    FlagCase{"llada-moe-tiny", "num_experts_per_tok", 7},
                    FlagCase{"llada-moe-tiny", "rope_scaling", nlohmann::json{{"rope_type", "linear"}}}),
    [](const testing::TestParamInfo<FlagCase>& info) {
        std::string name = std::string(info.param.fixture) + "_" + info.param.key + "_" + std::to_string(info.index);
        for (char& ch : name)
            if (ch == '-') ch = '_';
        return name;
    });

}  // namespace
}  // namespace remask
