// The tokenizer of a GGUF file's own vocabulary (tokenizer.ggml.*, written by our writer from
// the real Qwen3 and Llama 3 tokenizer.json files) gives exactly the ids of those files,
// which tests/tokenizer checks against Hugging Face `tokenizers`.

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/gguf_writer.h"
#include "model/model_tokenizer.h"
#include "test_support.h"
#include "tokenizer/vocab_tokenizer.h"

namespace remask {
namespace {

std::vector<std::string> corpus() {
    std::vector<std::string> texts = {
        "<|im_start|>user\nHello, world! 12345 numbers 3.14159<|im_end|>\n",
        "  leading spaces, tabs\t\tand\r\nnewlines\n\n\n",
        "Ünïcödé — «quotes» 日本語のテキスト 한국어 emoji 🙂👍🏽 and ﬁ ligatures",
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
        "don't won't I'm you're they'll we've she'd DON'T",
        "code: for (int i = 0; i < 10; ++i) { x[i] = y[i] * 2; }",
        "<|mask|><|mask|> <|mdm_mask|> <think>reasoning</think>",
    };
    std::ifstream in(std::string(REMASK_SOURCE_DIR) + "/tests/fixtures/tokenizer/corpus.jsonl");
    std::string line;
    for (int i = 0; i < 300 && std::getline(in, line); ++i) texts.push_back(nlohmann::json::parse(line).get<std::string>());
    return texts;
}

class GgufTokenizerTest : public testing::TestWithParam<const char*> {};

TEST_P(GgufTokenizerTest, VocabularyInTheFileGivesTheTokenizerJsonIds) {
    const std::string folder = test::fixture(GetParam());
    const std::string gguf = test::scratch_dir() + "/model.gguf";  // no tokenizer.json beside it
    write_gguf_from_folder(folder, gguf, "bf16");
    auto reference = Tokenizer::from_file(folder + "/tokenizer.json");
    auto from_gguf = load_model_tokenizer(gguf);
    for (const std::string& text : corpus()) {
        for (bool special : {true, false}) {
            const auto want = reference->encode(text, special);
            ASSERT_EQ(from_gguf->encode(text, special), want) << text;
            ASSERT_EQ(from_gguf->decode(want), reference->decode(want)) << text;
        }
    }
    EXPECT_EQ(from_gguf->vocab_size(), reference->vocab_size());
}

INSTANTIATE_TEST_SUITE_P(RealTokenizers, GgufTokenizerTest, testing::Values("dream-e2e", "llada-e2e", "qwen2-e2e"),
                         [](const testing::TestParamInfo<const char*>& info) {
                             std::string name = info.param;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(GgufTokenizer, UnsupportedVocabulariesAreNamed) {
    VocabDescription v;
    v.tokens = {"a", "b"};
    v.model = "llama";
    try {
        tokenizer_from_vocab(v, "m.gguf");
        FAIL() << "an SPM vocabulary was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("m.gguf: tokenizer.ggml.model"), std::string::npos) << e.what();
    }
    v.model = "gpt2";
    v.pre = "deepseek-coder";
    EXPECT_THROW(tokenizer_from_vocab(v, "m.gguf"), InputError);
    v.pre = "qwen2";
    const std::string bad_utf8 = "\xff\xfe";
    v.tokens = {"a", bad_utf8};
    EXPECT_THROW(tokenizer_from_vocab(v, "m.gguf"), InputError);
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

std::string run_remask_stdout(const std::string& args) {
    const char* bin = std::getenv("REMASK_BIN");
    if (!bin) ADD_FAILURE() << "REMASK_BIN is not set";
    FILE* pipe = ::popen((std::string(bin ? bin : "remask") + " " + args + " 2>&1").c_str(), "r");
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    ::pclose(pipe);
    return out;
}

TEST(GgufTokenizeCommand, TokenizeTakesAGgufFile) {
    const std::string gguf = test::scratch_dir() + "/qwen.gguf";
    write_gguf_from_folder(test::fixture("qwen2-e2e"), gguf, "bf16");
    const std::string text = "'<|im_start|>user\nHi there, 2024!<|im_end|>'";
    const std::string want = run_remask_stdout("tokenize --tokenizer " + test::fixture("qwen2-e2e") + " " + text);
    EXPECT_EQ(want, "[151644,872,198,13048,1052,11,220,17,15,17,19,0,151645]\n");
    EXPECT_EQ(run_remask_stdout("tokenize --tokenizer " + gguf + " " + text), want);
}

}  // namespace
}  // namespace remask
