// Exactness against the reference: every corpus string encoded by remask and by Hugging
// Face `tokenizers` (npm, Rust) with the real Qwen3 and LLaMA-3 tokenizer files must give
// the same ids, with and without special-token recognition.

#include <gtest/gtest.h>

#include "reference_support.h"
#include "tokenizer/tokenizer.h"

namespace remask {
namespace {

using testing::read_corpus;
using testing::run_reference;

// Compares remask's ids for every corpus string with the reference's; reports the first
// few differences in full.
void expect_corpus_matches(const std::string& tokenizer_path, bool recognize_special,
                           const std::string& name) {
    const auto tokenizer = Tokenizer::from_file(tokenizer_path);
    const std::vector<std::string> corpus = read_corpus();
    ASSERT_GE(corpus.size(), 3000u);
    std::vector<nlohmann::json> inputs(corpus.begin(), corpus.end());
    const auto expected =
        run_reference("encode", tokenizer_path, inputs, recognize_special ? "" : "--plain", name);
    size_t mismatches = 0;
    for (size_t i = 0; i < corpus.size(); ++i) {
        const std::vector<int32_t> actual = tokenizer->encode(corpus[i], recognize_special);
        const auto wanted = expected[i].get<std::vector<int32_t>>();
        if (actual == wanted) continue;
        if (++mismatches <= 5) {
            ADD_FAILURE() << "line " << i + 1 << ": " << nlohmann::json(corpus[i]).dump()
                          << "\n  reference: " << expected[i].dump()
                          << "\n  remask:    " << nlohmann::json(actual).dump();
        }
    }
    EXPECT_EQ(mismatches, 0u) << "of " << corpus.size() << " strings";
}

TEST(TokenizerReference, Qwen3CorpusWithSpecialTokens) {
    expect_corpus_matches(testing::qwen3_tokenizer_path(), true, "qwen3_special");
}

TEST(TokenizerReference, Qwen3CorpusPlain) {
    expect_corpus_matches(testing::qwen3_tokenizer_path(), false, "qwen3_plain");
}

TEST(TokenizerReference, Llama3CorpusWithSpecialTokens) {
    expect_corpus_matches(testing::llama3_tokenizer_path(), true, "llama3_special");
}

TEST(TokenizerReference, Llama3CorpusPlain) {
    expect_corpus_matches(testing::llama3_tokenizer_path(), false, "llama3_plain");
}

}  // namespace
}  // namespace remask
