// The e2e fixtures other areas build on: real tokenizers whose special tokens agree with
// the ids in config.json.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

// Added tokens of the folder's tokenizer.json: content -> id (-1 when absent).
class AddedTokens {
public:
    explicit AddedTokens(const std::string& dir) {
        // Only the "added_tokens" array is parsed: the whole file (10 MB) takes seconds.
        std::ifstream in(dir + "/tokenizer.json");
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        const size_t begin = text.find('[', text.find("\"added_tokens\""));
        const size_t end = text.find(']', begin);
        const auto list = nlohmann::json::parse(text.substr(begin, end - begin + 1));
        for (const auto& t : list) ids_[t["content"]] = t["id"].get<int64_t>();
    }
    int64_t id(const std::string& content) const {
        auto it = ids_.find(content);
        return it == ids_.end() ? -1 : it->second;
    }

private:
    std::map<std::string, int64_t> ids_;
};

TEST(E2eFixtures, DreamMaskTokenIsInTokenizer) {
    const std::string dir = test::fixture("dream-e2e");
    auto model = Model::load(dir);
    const AddedTokens tokens(dir);
    EXPECT_EQ(model->config().family, Family::dream);
    EXPECT_EQ(model->vocab_size(), 151936);
    EXPECT_EQ(model->config().mask_token_id, tokens.id("<|mask|>"));
    EXPECT_EQ(model->config().mask_token_id, tokens.id("</think>") + 1);
    EXPECT_TRUE(std::filesystem::exists(dir + "/tokenizer_config.json"));
}

TEST(E2eFixtures, LladaSpecialTokensAreInTokenizer) {
    const std::string dir = test::fixture("llada-e2e");
    auto model = Model::load(dir);
    const AddedTokens tokens(dir);
    EXPECT_EQ(model->config().family, Family::llada);
    EXPECT_EQ(model->config().mask_token_id, tokens.id("<|mdm_mask|>"));
    EXPECT_EQ(model->config().eos_token_ids, std::vector<int64_t>{tokens.id("<|endoftext|>")});
    EXPECT_EQ(tokens.id("<|startoftext|>"), 128256);
    EXPECT_GE(tokens.id("<|eot_id|>"), 0);
    std::vector<float> logits;
    model->forward({{128256, 128006, 882, 128007, 128258, 128258}}, {4, 5}, logits);
    EXPECT_EQ(logits.size(), 2u * model->vocab_size());
}

TEST(E2eFixtures, Qwen2IsCausalWithTiedHead) {
    const std::string dir = test::fixture("qwen2-e2e");
    auto model = Model::load(dir);
    const AddedTokens tokens(dir);
    EXPECT_TRUE(model->config().causal);
    EXPECT_TRUE(model->config().tied_head);
    EXPECT_EQ(tokens.id("<|im_end|>"), 151645);
    auto cache = model->new_cache(1, 4);
    std::vector<float> last;
    model->forward_cached(*cache, {{151644, 872}}, last);
    EXPECT_EQ(last.size(), static_cast<size_t>(model->vocab_size()));
}

}  // namespace
}  // namespace remask
