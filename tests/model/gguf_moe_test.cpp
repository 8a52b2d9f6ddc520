// LLaDA-MoE as GGUF: the writer stacks the experts as llama.cpp's converter does, the reader
// gives each expert back as a view into the stack, and a damaged expert layout is one clear
// error. The logits comparisons (folder, llama.cpp) are in gguf_model_test.cpp.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/families.h"
#include "model/gguf_architectures.h"
#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

// llada-moe-tiny: d 48, 2 layers, 6 experts, top-2, expert width 32, vocab 400.
constexpr int64_t kD = 48, kExperts = 6, kFfn = 32;

std::string converted_moe(const std::string& type) {
    const std::string path = test::scratch_dir() + "/moe.gguf";
    write_gguf_from_folder(test::fixture("llada-moe-tiny"), path, type);
    return path;
}

std::vector<char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Overwrites the u32 value of metadata key `key` (written by our writer as type 4).
void set_u32(std::vector<char>& bytes, const std::string& key, uint32_t value) {
    const std::string needle = key;
    auto at = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
    ASSERT_NE(at, bytes.end()) << key;
    const size_t offset = static_cast<size_t>(at - bytes.begin()) + needle.size() + 4;  // after the type
    std::memcpy(bytes.data() + offset, &value, 4);
}

std::string load_error(const std::string& path) {
    try {
        Model::load(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

TEST(GgufMoe, ExpertNamesMapBothWays) {
    const TensorLayout layout = tensor_layout(Family::llada_moe);
    EXPECT_EQ(hf_expert_name("blk.1.ffn_up_exps.weight", 5, layout), "model.layers.1.mlp.experts.5.up_proj.weight");
    EXPECT_EQ(hf_expert_name("blk.1.ffn_up.weight", 5, layout), "");
    int64_t expert = -1;
    EXPECT_EQ(gguf_expert_stack_name("model.layers.12.mlp.experts.3.down_proj.weight", layout, expert),
              "blk.12.ffn_down_exps.weight");
    EXPECT_EQ(expert, 3);
    EXPECT_EQ(gguf_expert_stack_name("model.layers.1.mlp.experts.x.down_proj.weight", layout, expert), "");
    EXPECT_EQ(gguf_expert_stack_name("model.layers.1.mlp.gate.weight", layout, expert), "");
    EXPECT_EQ(hf_tensor_name("blk.0.ffn_gate_inp.weight", layout), "model.layers.0.mlp.gate.weight");
    EXPECT_EQ(gguf_tensor_name("model.layers.0.mlp.gate.weight", layout), "blk.0.ffn_gate_inp.weight");
}

TEST(GgufMoe, WriterStacksExpertsAsLlamaCppsConverter) {
    const GgufFile file(converted_moe("bf16"));
    EXPECT_EQ(file.string("general.architecture"), "llada-moe");
    EXPECT_EQ(file.integer("llada-moe.expert_count"), kExperts);
    EXPECT_EQ(file.integer("llada-moe.expert_used_count"), 2);
    EXPECT_EQ(file.integer("llada-moe.expert_feed_forward_length"), kFfn);
    EXPECT_EQ(file.integer("llada-moe.feed_forward_length"), 4 * kFfn);  // dense_intermediate_size
    EXPECT_FALSE(file.flag_or("llada-moe.attention.causal", true));
    EXPECT_FALSE(file.flag_or("diffusion.shift_logits", true));
    EXPECT_EQ(file.value("llada-moe.rope.dimension_count"), nullptr);
    EXPECT_EQ(file.integer("tokenizer.ggml.mask_token_id"), 397);
    const GgufTensor* gate = file.find("blk.1.ffn_gate_exps.weight");
    const GgufTensor* down = file.find("blk.1.ffn_down_exps.weight");
    ASSERT_NE(gate, nullptr);
    ASSERT_NE(down, nullptr);
    EXPECT_EQ(gate->dims, (std::vector<int64_t>{kD, kFfn, kExperts}));
    EXPECT_EQ(down->dims, (std::vector<int64_t>{kFfn, kD, kExperts}));
    EXPECT_EQ(gate->type->id, kGgmlBF16);
    EXPECT_EQ(file.find("blk.0.ffn_gate_inp.weight")->type->id, kGgmlF32);  // router stays F32
    EXPECT_EQ(file.find("blk.0.attn_q_norm.weight")->dims, (std::vector<int64_t>{kD / 4}));
    EXPECT_EQ(file.find("blk.0.ffn_gate.weight"), nullptr);
}

TEST(GgufMoe, EachExpertIsItsSliceOfTheStack) {
    const std::string gguf = converted_moe("f32");
    Checkpoint folder = Checkpoint::open(test::fixture("llada-moe-tiny"));
    Checkpoint file = Checkpoint::open(gguf);
    for (int64_t e = 0; e < kExperts; ++e)
        for (const char* kind : {"gate_proj", "up_proj", "down_proj"}) {
            const std::string name = "model.layers.1.mlp.experts." + std::to_string(e) + "." + kind + ".weight";
            const TensorInfo* want = folder.find(name);
            const TensorInfo* got = file.find(name);
            ASSERT_NE(want, nullptr) << name;
            ASSERT_NE(got, nullptr) << name;
            ASSERT_EQ(got->shape, want->shape) << name;
            ASSERT_EQ(got->bytes, want->bytes) << name;
            if (want->dtype == "F32") EXPECT_EQ(std::memcmp(got->data, want->data, want->bytes), 0) << name;
        }
    EXPECT_EQ(file.tensors().size(), folder.tensors().size());
}

TEST(GgufMoe, ExpertCountThatDisagreesWithTheStacksIsOneError) {
    std::vector<char> bytes = read_bytes(converted_moe("f32"));
    set_u32(bytes, "llada-moe.expert_count", kExperts - 1);
    const std::string bad = test::scratch_dir() + "/bad_count.gguf";
    write_bytes(bad, bytes);
    const std::string error = load_error(bad);
    EXPECT_NE(error.find("ffn_"), std::string::npos) << error;
    EXPECT_NE(error.find("expert count 5"), std::string::npos) << error;
}

TEST(GgufMoe, TopKAboveTheExpertCountIsOneError) {
    std::vector<char> bytes = read_bytes(converted_moe("f32"));
    set_u32(bytes, "llada-moe.expert_used_count", kExperts + 1);
    const std::string bad = test::scratch_dir() + "/bad_topk.gguf";
    write_bytes(bad, bytes);
    const std::string error = load_error(bad);
    EXPECT_NE(error.find("expert_used_count"), std::string::npos) << error;
}

}  // namespace
}  // namespace remask
