// The e2e fixtures other areas build on: real tokenizers whose special tokens agree with
// the ids in config.json.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

// id of an added token in the folder's tokenizer.json, or -1.
int64_t added_token_id(const std::string& dir, const std::string& content) {
    nlohmann::json tokenizer;
    std::ifstream(dir + "/tokenizer.json") >> tokenizer;
    for (const auto& t : tokenizer["added_tokens"])
        if (t["content"] == content) return t["id"].get<int64_t>();
    return -1;
}

TEST(E2eFixtures, DreamMaskTokenIsInTokenizer) {
    const std::string dir = test::fixture("dream-e2e");
    auto model = Model::load(dir);
    EXPECT_EQ(model->config().family, Family::dream);
    EXPECT_EQ(model->vocab_size(), 151936);
    EXPECT_EQ(model->config().mask_token_id, added_token_id(dir, "<|mask|>"));
    EXPECT_EQ(model->config().mask_token_id, added_token_id(dir, "</think>") + 1);
    EXPECT_TRUE(std::filesystem::exists(dir + "/tokenizer_config.json"));
}

TEST(E2eFixtures, LladaSpecialTokensAreInTokenizer) {
    const std::string dir = test::fixture("llada-e2e");
    auto model = Model::load(dir);
    EXPECT_EQ(model->config().family, Family::llada);
    EXPECT_EQ(model->config().mask_token_id, added_token_id(dir, "<|mdm_mask|>"));
    EXPECT_EQ(model->config().eos_token_ids, std::vector<int64_t>{added_token_id(dir, "<|endoftext|>")});
    EXPECT_EQ(added_token_id(dir, "<|startoftext|>"), 128256);
    EXPECT_GE(added_token_id(dir, "<|eot_id|>"), 0);
    std::vector<float> logits;
    model->forward({{128256, 128006, 882, 128007, 128258, 128258}}, {4, 5}, logits);
    EXPECT_EQ(logits.size(), 2u * model->vocab_size());
}

TEST(E2eFixtures, Qwen2IsCausalWithTiedHead) {
    const std::string dir = test::fixture("qwen2-e2e");
    auto model = Model::load(dir);
    EXPECT_TRUE(model->config().causal);
    EXPECT_TRUE(model->config().tied_head);
    EXPECT_EQ(added_token_id(dir, "<|im_end|>"), 151645);
    auto cache = model->new_cache(1, 4);
    std::vector<float> last;
    model->forward_cached(*cache, {{151644, 872}}, last);
    EXPECT_EQ(last.size(), static_cast<size_t>(model->vocab_size()));
}

}  // namespace
}  // namespace remask
