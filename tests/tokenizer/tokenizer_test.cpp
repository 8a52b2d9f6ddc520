// Behaviour of the tokenizer beyond the corpus comparison: decoding (round trip, ids with no
// token, lossy UTF-8 against the reference), streaming decode, concurrency, the two merge
// implementations, and one clear error for each kind of malformed input.

#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>
#include <utf8proc.h>

#include <fstream>
#include <iterator>
#include <random>
#include <thread>

#include "core/error.h"
#include "reference_support.h"
#include "tokenizer/bpe_merge.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/byte_level.h"

namespace remask {
namespace {

const Tokenizer& qwen3_tokenizer() {
    static const auto tokenizer = Tokenizer::from_file(testing::qwen3_tokenizer_path());
    return *tokenizer;
}
const Tokenizer& llama3() {
    static const auto tokenizer = Tokenizer::from_file(testing::llama3_tokenizer_path());
    return *tokenizer;
}

bool is_nfc(const std::string& text) {
    auto* result = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(text.c_str()));
    const bool same = result && text == reinterpret_cast<const char*>(result);
    std::free(result);
    return same;
}

TEST(Tokenizer, DecodeInvertsEncodeOnNfcCorpus) {
    size_t checked = 0;
    for (const std::string& text : testing::read_corpus()) {
        if (text.find('\0') != std::string::npos || !is_nfc(text)) continue;
        ASSERT_EQ(qwen3_tokenizer().decode(qwen3_tokenizer().encode(text)), text);
        ASSERT_EQ(llama3().decode(llama3().encode(text, false)), text);
        ++checked;
    }
    EXPECT_GT(checked, 3000u);
}

TEST(Tokenizer, IdsWithoutTokensDecodeToNothing) {
    const auto ids = qwen3_tokenizer().encode("Hello");
    std::vector<int32_t> padded = ids;
    padded.insert(padded.begin(), {-5, 151669, 152063, 200000});
    padded.push_back(INT32_MAX);
    EXPECT_EQ(qwen3_tokenizer().decode(padded), "Hello");
    EXPECT_FALSE(qwen3_tokenizer().id_to_token(152000).has_value());
    EXPECT_EQ(qwen3_tokenizer().vocab_size(), 151669);
}

TEST(Tokenizer, SpecialTokensAndSkipping) {
    const auto im_end = qwen3_tokenizer().token_to_id("<|im_end|>");
    ASSERT_TRUE(im_end.has_value());
    EXPECT_TRUE(qwen3_tokenizer().is_special(*im_end));
    EXPECT_FALSE(qwen3_tokenizer().is_special(*qwen3_tokenizer().token_to_id("<think>")));  // added, not special
    const auto ids = qwen3_tokenizer().encode("<|im_start|>user\nHi<|im_end|>");
    EXPECT_EQ(ids.front(), *qwen3_tokenizer().token_to_id("<|im_start|>"));
    EXPECT_EQ(ids.back(), *im_end);
    EXPECT_EQ(qwen3_tokenizer().decode(ids, /*skip_special=*/true), "user\nHi");
    const auto plain = qwen3_tokenizer().encode("<|im_end|>", /*recognize_special=*/false);
    EXPECT_GT(plain.size(), 1u);
    for (const int32_t id : plain) EXPECT_FALSE(qwen3_tokenizer().is_special(id));
    EXPECT_EQ(qwen3_tokenizer().decode(plain), "<|im_end|>");
}

// Random id sequences (with split multi-byte characters) decode like the reference,
// and the streaming decoder's pieces add up to the same text.
TEST(Tokenizer, DecodeAndStreamingMatchReferenceOnRandomIds) {
    std::mt19937 random(7);
    std::uniform_int_distribution<int32_t> any_id(0, 151700), byte_id(0, 255);
    std::vector<nlohmann::json> inputs;
    std::vector<std::vector<int32_t>> sequences;
    for (int n = 0; n < 300; ++n) {
        std::vector<int32_t> ids;
        const int length = 1 + n % 17;
        for (int i = 0; i < length; ++i)
            ids.push_back((i + n) % 3 == 0 ? byte_id(random) : any_id(random));
        sequences.push_back(ids);
        inputs.push_back(ids);
    }
    // The reference rejects ids past its vocabulary, so it gets only ids that have tokens.
    std::vector<nlohmann::json> known;
    for (const auto& ids : sequences) {
        std::vector<int32_t> kept;
        for (const int32_t id : ids) {
            if (qwen3_tokenizer().id_to_token(id)) kept.push_back(id);
        }
        known.push_back(kept);
    }
    const auto expected = testing::run_reference("decode", testing::qwen3_tokenizer_path(), known,
                                                 "", "decode_random");
    for (size_t i = 0; i < sequences.size(); ++i) {
        const std::string decoded = qwen3_tokenizer().decode(sequences[i]);
        EXPECT_EQ(decoded, expected[i].get<std::string>()) << "sequence " << known[i].dump();
        StreamingDecoder stream(qwen3_tokenizer());
        std::string streamed;
        for (const int32_t id : sequences[i]) streamed += stream.push(id);
        streamed += stream.finish();
        EXPECT_EQ(streamed, decoded);
        EXPECT_EQ(stream.text(), decoded);
    }
}

TEST(Tokenizer, StreamingHoldsBackIncompleteCharacters) {
    // "a" then the four bytes of U+1F600 as single-byte tokens.
    std::vector<int32_t> ids = qwen3_tokenizer().encode("a");
    for (const char byte : std::string("😀")) {
        ids.push_back(*qwen3_tokenizer().token_to_id(byte_level::byte_to_text(static_cast<uint8_t>(byte))));
    }
    ASSERT_EQ(ids.size(), 5u);
    StreamingDecoder stream(qwen3_tokenizer());
    EXPECT_EQ(stream.push(ids[0]), "a");
    std::string middle;
    for (size_t i = 1; i + 1 < ids.size(); ++i) middle += stream.push(ids[i]);
    EXPECT_EQ(middle, "");
    EXPECT_EQ(stream.push(ids.back()), "😀");
    EXPECT_EQ(stream.finish(), "");
}

TEST(Tokenizer, EncodesConcurrentlyFromManyThreads) {
    const std::vector<std::string> corpus = testing::read_corpus();
    std::vector<std::vector<int32_t>> expected;
    for (size_t i = 0; i < 400; ++i)
        expected.push_back(qwen3_tokenizer().encode(corpus[i * 7 % corpus.size()]));
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 3; ++round) {
                for (size_t i = t; i < expected.size(); i += 1 + t) {
                    if (qwen3_tokenizer().encode(corpus[i * 7 % corpus.size()]) != expected[i]) ++failures[t];
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(Tokenizer, ScanAndHeapMergesAgree) {
    // The optimized pair-rank scan and the simple heap must merge every word identically.
    const auto spec = nlohmann::json::parse(std::ifstream(testing::llama3_tokenizer_path()));
    const BpeModel model(spec["model"], /*byte_level=*/true, "llama3 model");
    std::mt19937 random(3);
    const std::string alphabet = "aaabbcdeeehilmnorsst  ..,'\n";
    size_t symbols_in = 0, symbols_out = 0;
    for (int n = 0; n < 500; ++n) {
        std::vector<int32_t> symbols;
        const size_t length = 1 + random() % 300;
        for (size_t i = 0; i < length; ++i) {
            const auto byte = static_cast<uint8_t>(alphabet[random() % alphabet.size()]);
            symbols.push_back(*model.token_to_id(byte_level::byte_to_text(byte)));
        }
        std::vector<int32_t> by_scan = symbols, by_heap = symbols;
        merge_word_by_scan(by_scan, model.merges());
        merge_word_by_heap(by_heap, model.merges());
        ASSERT_EQ(by_scan, by_heap) << "word of " << length << " bytes";
        symbols_in += symbols.size();
        symbols_out += by_scan.size();
    }
    EXPECT_LT(symbols_out * 2, symbols_in) << "the words should mostly merge";
}

// Malformed inputs: each gives one InputError naming the thing at fault. A tiny byte-level
// tokenizer keeps these fast: 256 byte tokens, "he", "ll", "hell", "hello" and their merges.
nlohmann::json tiny_tokenizer() {
    nlohmann::json vocab = nlohmann::json::object();
    for (int b = 0; b < 256; ++b) vocab[byte_level::byte_to_text(static_cast<uint8_t>(b))] = b;
    vocab["he"] = 256;
    vocab["ll"] = 257;
    vocab["hell"] = 258;
    vocab["hello"] = 259;
    return {{"version", "1.0"},
            {"added_tokens", nlohmann::json::array({{{"id", 260},
                                                     {"content", "<|end|>"},
                                                     {"special", true},
                                                     {"lstrip", false},
                                                     {"rstrip", false},
                                                     {"single_word", false},
                                                     {"normalized", false}}})},
            {"normalizer", {{"type", "NFC"}}},
            {"pre_tokenizer",
             {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
            {"post_processor", nullptr},
            {"decoder", {{"type", "ByteLevel"}}},
            {"model",
             {{"type", "BPE"}, {"vocab", vocab}, {"merges", {"h e", "l l", "he ll", "hell o"}}}}};
}

TEST(TokenizerErrors, TinyTokenizerWorks) {
    const auto tokenizer = Tokenizer::from_json_text(tiny_tokenizer().dump(), "tiny.json");
    EXPECT_EQ(tokenizer->encode("hello<|end|>"), (std::vector<int32_t>{259, 260}));
    EXPECT_EQ(tokenizer->encode("hello<|end|>", false).size(), 8u);
}

std::string tiny_json_text() { return tiny_tokenizer().dump(); }

void expect_input_error(const std::string& json_text, const std::string& needle) {
    try {
        Tokenizer::from_json_text(json_text, "bad.json");
        ADD_FAILURE() << "no error; wanted one mentioning " << needle;
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
    }
}

TEST(TokenizerErrors, TruncatedJson) {
    const std::string text = tiny_json_text();
    expect_input_error(text.substr(0, text.size() / 2), "not valid JSON");
    expect_input_error("", "not valid JSON");
}

TEST(TokenizerErrors, UnknownModelType) {
    auto spec = nlohmann::json::parse(tiny_json_text());
    spec["model"]["type"] = "Unigram";
    expect_input_error(spec.dump(), "unsupported model type 'Unigram'");
}

TEST(TokenizerErrors, UnsupportedNormalizerAndPreTokenizer) {
    auto spec = nlohmann::json::parse(tiny_json_text());
    spec["normalizer"] = {{"type", "Precompiled"}};
    expect_input_error(spec.dump(), "normalizer.type: unsupported normalizer type 'Precompiled'");
    spec = nlohmann::json::parse(tiny_json_text());
    spec["pre_tokenizer"] = {{"type", "Metaspace"}};
    expect_input_error(spec.dump(), "unsupported pre-tokenizer type 'Metaspace'");
    spec = nlohmann::json::parse(tiny_json_text());
    spec["pre_tokenizer"] = {
        {"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}};
    expect_input_error(spec.dump(), "regex does not compile");
}

TEST(TokenizerErrors, MergeNamingTokenOutsideVocabulary) {
    auto spec = nlohmann::json::parse(tiny_json_text());
    spec["model"]["merges"][2] = {"he", "zzzzqqq"};
    expect_input_error(spec.dump(), "model.merges[2]: merge 'he zzzzqqq' names token 'zzzzqqq'");
    spec = tiny_tokenizer();
    spec["model"]["merges"][0] = "h e l";
    expect_input_error(spec.dump(), "must be two tokens separated by one space");
}

// Was: ids are table indexes, so one id near INT32_MAX sized tables of 2^31 entries.
TEST(TokenizerErrors, IdsFarPastTheVocabularyAreRefused) {
    auto spec = tiny_tokenizer();
    spec["model"]["vocab"]["hello"] = 2147483647;
    expect_input_error(spec.dump(), "id 2147483647 is far past the vocabulary");
    spec = tiny_tokenizer();
    spec["added_tokens"][0]["id"] = 2147483600;
    expect_input_error(spec.dump(), "id 2147483600 is far past the vocabulary");
}

TEST(TokenizerErrors, DeepNestingAndHugeTokensGiveShortErrors) {
    auto spec = tiny_tokenizer();
    spec["decoder"] = nullptr;
    std::string text = spec.dump();
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    text.replace(text.find("\"decoder\":null"), 14, "\"decoder\":" + deep);
    expect_input_error(text, "deeper");
    // A malformed value after a megabyte-long token: the message does not quote it.
    try {
        Tokenizer::from_json_text("{\"version\": \"" + std::string(1 << 20, 'x') + "\" oops}", "bad.json");
        ADD_FAILURE() << "no error";
    } catch (const InputError& e) {
        EXPECT_LT(std::string(e.what()).size(), 400u);
    }
}

TEST(TokenizerErrors, BadVocabularyEntries) {
    auto spec = tiny_tokenizer();
    spec["model"]["vocab"]["he"] = "256";
    expect_input_error(spec.dump(), "model.vocab[\"he\"]: expected a non-negative integer id");
    spec = tiny_tokenizer();
    spec["model"]["vocab"]["he"] = -3;
    expect_input_error(spec.dump(), "model.vocab[\"he\"]: expected a non-negative integer id");
    spec = tiny_tokenizer();
    spec["model"]["merges"][1] = nlohmann::json::array({"l"});
    expect_input_error(spec.dump(), "model.merges[1]: expected");
}

TEST(TokenizerErrors, MissingFileAndMissingModel) {
    EXPECT_THROW(Tokenizer::from_file("/nonexistent/tokenizer.json"), InputError);
    expect_input_error("{\"added_tokens\": []}", "model: missing");
}

TEST(TokenizerErrors, InvalidUtf8Text) {
    for (const std::string& bad :
         {std::string("abc\xff"), std::string("\xc3"), std::string("\xed\xa0\x80"),
          std::string("\xc0\xaf"), std::string("ok \xf4\x90\x80\x80")}) {
        try {
            Tokenizer::from_json_text(tiny_json_text(), "tiny.json")->encode(bad);
            ADD_FAILURE() << "no error for invalid UTF-8";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace remask
