// The `local` provider on the tiny causal fixture (qwen2-e2e: random weights, the real
// Qwen3 tokenizer): generation is deterministic per seed, respects max_tokens and stop
// strings, and is cached and counted like a remote call.

#include "llm/local_model.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "llm/causal_generation.h"
#include "llm/factory.h"
#include "llm/token_sampling.h"
#include "model/model.h"
#include "temp_dir.h"
#include "tokenizer/tokenizer.h"

namespace remask {
namespace {

std::string fixture(const std::string& name) { return std::string(REMASK_BINARY_DIR) + "/fixtures/" + name; }

ChatRequest hello(int64_t seed, double temperature, int64_t max_tokens) {
    ChatRequest request;
    request.messages = {{"system", "Answer briefly."}, {"user", "Say something."}};
    request.seed = seed;
    request.temperature = temperature;
    request.max_tokens = max_tokens;
    return request;
}

TEST(TokenSampling, GreedyPicksTheLargestLogitAndLowestIdOnTies) {
    std::vector<float> logits = {0.5f, 2.0f, 2.0f, -1.0f};
    RandomStream stream(1);
    EXPECT_EQ(sample_token(logits.data(), 4, {}, stream), 1);
    TokenSamplingOptions top1;
    top1.temperature = 1.0;
    top1.top_k = 1;
    EXPECT_EQ(sample_token(logits.data(), 4, top1, stream), 1);
}

TEST(TokenSampling, TopKAndTopPNeverPickOutsideTheirSet) {
    std::vector<float> logits = {3.0f, 2.9f, 0.0f, -5.0f, 1.0f};
    TokenSamplingOptions top2;
    top2.temperature = 1.0;
    top2.top_k = 2;
    TokenSamplingOptions nucleus;
    nucleus.temperature = 1.0;
    nucleus.top_p = 0.5;  // token 0 alone has ~0.46 of the mass; 0 and 1 reach 0.5
    std::vector<int> seen_k(5, 0), seen_p(5, 0);
    for (uint64_t i = 0; i < 2000; ++i) {
        RandomStream a(i), b(i + 100000);
        seen_k[sample_token(logits.data(), 5, top2, a)]++;
        seen_p[sample_token(logits.data(), 5, nucleus, b)]++;
    }
    EXPECT_GT(seen_k[0], 0);
    EXPECT_GT(seen_k[1], 0);
    EXPECT_EQ(seen_k[2] + seen_k[3] + seen_k[4], 0);
    EXPECT_GT(seen_p[0], 0);
    EXPECT_GT(seen_p[1], 0);
    EXPECT_EQ(seen_p[2] + seen_p[3] + seen_p[4], 0);
}

TEST(TokenSampling, FullDistributionFollowsTheSoftmax) {
    // p = softmax([0, log 3]) = [0.25, 0.75]
    std::vector<float> logits = {0.0f, static_cast<float>(std::log(3.0))};
    TokenSamplingOptions options;
    options.temperature = 1.0;
    int ones = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        RandomStream stream(static_cast<uint64_t>(i) * 7919);
        ones += sample_token(logits.data(), 2, options, stream);
    }
    EXPECT_NEAR(double(ones) / n, 0.75, 0.02);
}

TEST(LocalModel, GreedyGenerationMatchesStepwiseFullRecomputation) {
    auto model = Model::load(fixture("qwen2-e2e"));
    auto tokenizer = Tokenizer::from_file(fixture("qwen2-e2e") + "/tokenizer.json");
    std::vector<int32_t> prompt = tokenizer->encode("Hello there, model.", false);
    CausalGenerationOptions options;
    options.max_new_tokens = 6;
    CausalGenerationResult cached = generate_causal(*model, *tokenizer, prompt, options);
    ASSERT_EQ(cached.tokens.size(), 6u);
    // The reference: a full forward over the growing sequence, argmax of the last row.
    std::vector<int32_t> sequence = prompt;
    std::vector<float> logits;
    for (int32_t expected : cached.tokens) {
        model->forward({sequence}, {static_cast<int64_t>(sequence.size()) - 1}, logits);
        int32_t best = 0;
        for (int64_t v = 1; v < model->vocab_size(); ++v)
            if (logits[v] > logits[best]) best = static_cast<int32_t>(v);
        EXPECT_EQ(best, expected);
        sequence.push_back(best);
    }
    EXPECT_EQ(cached.text, tokenizer->decode(cached.tokens));
}

TEST(LocalModel, SameSeedSameReplyAndCachedSecondTime) {
    testing::TempDir dir;
    EndpointSettings settings = parse_target_argument("local:" + fixture("qwen2-e2e"), "");
    ClientOptions options;
    options.cache_path = dir.file("calls.sqlite");
    auto first = make_language_model(settings, options);
    ChatResponse a = first->chat(hello(7, 1.0, 8));
    ChatResponse b = first->chat(hello(7, 1.0, 8));
    EXPECT_EQ(a.message.content, b.message.content);
    EXPECT_FALSE(a.cached);
    EXPECT_TRUE(b.cached);
    EXPECT_LE(a.usage.completion_tokens, 8);
    EXPECT_GT(a.usage.prompt_tokens, 5);

    ClientOptions uncached;
    uncached.use_cache = false;
    auto second = make_language_model(settings, uncached);
    EXPECT_EQ(second->chat(hello(7, 1.0, 8)).message.content, a.message.content);
}

TEST(LocalModel, StopStringCutsTheAnswer) {
    ClientOptions options;
    options.use_cache = false;
    LocalLanguageModel target(fixture("qwen2-e2e"), EndpointSettings{}, options);
    ChatResponse full = target.chat(hello(3, 0.0, 12));
    ASSERT_GE(full.message.content.size(), 2u);
    ChatRequest request = hello(3, 0.0, 12);
    request.stop = {full.message.content.substr(1, 1)};
    ChatResponse cut = target.chat(request);
    EXPECT_EQ(cut.finish_reason, "stop");
    EXPECT_EQ(cut.message.content, full.message.content.substr(0, full.message.content.find(request.stop[0])));
}

TEST(LocalModel, DiffusionModelIsRefusedAsTarget) {
    ClientOptions options;
    options.use_cache = false;
    EXPECT_THROW(LocalLanguageModel(fixture("dream-e2e"), EndpointSettings{}, options), InputError);
}

}  // namespace
}  // namespace remask
