// The features the Qwen3 and LLaMA-3 files do not use, checked against the reference on
// modified copies of those files: added-token lstrip / rstrip / single_word / normalized,
// normalizer sequences, every Split behaviour and invert, ByteLevel with its own regex and
// a prefix space, merges in the other written form, ignore_merges off, and
// TemplateProcessing (add_special_tokens).

#include <gtest/gtest.h>

#include <fstream>

#include "reference_support.h"
#include "tokenizer/tokenizer.h"

namespace remask {
namespace {

nlohmann::json load(const std::string& path) { return nlohmann::json::parse(std::ifstream(path)); }

// Every 8th corpus string plus cases aimed at the added-token rules.
std::vector<std::string> variant_inputs() {
    std::vector<std::string> inputs;
    const auto corpus = testing::read_corpus();
    for (size_t i = 0; i < corpus.size(); i += 8) inputs.push_back(corpus[i]);
    for (const char* text : {"a <|im_end|> b",
                             "a  <|im_end|>  b\n",
                             "x<|im_end|>y",
                             "<|im_start|> user",
                             "word<|im_start|>",
                             "<|im_start|>",
                             " <|im_start|> ",
                             "é<|im_start|>",
                             "_<|im_start|>",
                             "XYZZY there",
                             "xyzzy",
                             "say xyzzy!",
                             "axyzzy",
                             "xyzzy_",
                             "Xyzzy,World",
                             "éxyzzy",
                             "xyzzy\u00e9",
                             "1xyzzy",
                             "<think>  x  </think>  y",
                             "<THINK>",
                             "``quoted'' text``",
                             "  padded  ",
                             "",
                             "1990s in 2024",
                             "the theme of the thesis",
                             "123 456 7890"}) {
        inputs.emplace_back(text);
    }
    return inputs;
}

void expect_variant_matches(const nlohmann::json& spec, const std::string& name, bool add_special) {
    const auto dir = testing::scratch_dir(name + "_spec");
    const std::string path = (dir / "tokenizer.json").string();
    std::ofstream(path) << spec.dump();
    const auto tokenizer = Tokenizer::from_file(path);
    const auto inputs = variant_inputs();
    const auto expected = testing::run_reference("encode", path, {inputs.begin(), inputs.end()},
                                                 add_special ? "--add-special" : "", name);
    size_t mismatches = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
        auto ids = tokenizer->encode(inputs[i]);
        if (add_special) ids = tokenizer->add_special_tokens(std::move(ids));
        if (ids == expected[i].get<std::vector<int32_t>>()) continue;
        if (++mismatches <= 5) {
            ADD_FAILURE() << nlohmann::json(inputs[i]).dump()
                          << "\n  reference: " << expected[i].dump()
                          << "\n  remask:    " << nlohmann::json(ids).dump();
        }
    }
    EXPECT_EQ(mismatches, 0u) << "of " << inputs.size();
}

TEST(TokenizerVariants, AddedTokenFlagsNormalizersAndTemplate) {
    auto spec = load(testing::qwen3_tokenizer_path());
    for (auto& token : spec["added_tokens"]) {
        if (token["content"] == "<|im_end|>") token["lstrip"] = token["rstrip"] = true;
        if (token["content"] == "<|im_start|>") token["single_word"] = true;
        if (token["content"] == "<think>") token["normalized"] = true;
        if (token["content"] == "</think>") token["rstrip"] = true;
    }
    spec["added_tokens"].push_back({{"id", 151669},
                                    {"content", "xyzzy"},
                                    {"single_word", true},
                                    {"lstrip", false},
                                    {"rstrip", false},
                                    {"normalized", true},
                                    {"special", false}});
    spec["normalizer"] = {
        {"type", "Sequence"},
        {"normalizers",
         {{{"type", "NFC"}},
          {{"type", "Replace"}, {"pattern", {{"String", "``"}}}, {"content", "\""}},
          {{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", " "}},
          {{"type", "Lowercase"}}}}};
    spec["post_processor"] = {
        {"type", "TemplateProcessing"},
        {"single",
         {{{"SpecialToken", {{"id", "<|endoftext|>"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
        {"pair",
         {{{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
          {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
        {"special_tokens",
         {{"<|endoftext|>",
           {{"id", "<|endoftext|>"}, {"ids", {151643}}, {"tokens", {"<|endoftext|>"}}}}}}};
    for (auto& merge : spec["model"]["merges"])
        merge = merge[0].get<std::string>() + " " + merge[1].get<std::string>();
    expect_variant_matches(spec, "variant_added", true);
}

TEST(TokenizerVariants, SplitBehaviorsAndByteLevelRegex) {
    auto spec = load(testing::llama3_tokenizer_path());
    const auto split = [](const char* kind, const std::string& pattern, const char* behavior,
                          bool invert) {
        return nlohmann::json{{"type", "Split"},
                              {"pattern", {{kind, pattern}}},
                              {"behavior", behavior},
                              {"invert", invert}};
    };
    spec["normalizer"] = {
        {"type", "Sequence"},
        {"normalizers",
         {{{"type", "Strip"}, {"strip_left", true}, {"strip_right", false}}, {{"type", "NFKC"}}}}};
    spec["pre_tokenizer"] = {{"type", "Sequence"},
                             {"pretokenizers",
                              {split("Regex", "[0-9]+", "MergedWithNext", false),
                               split("String", "the", "MergedWithPrevious", false),
                               split("Regex", "[aeiou]", "Contiguous", true),
                               split("String", "!", "Removed", false),
                               {{"type", "ByteLevel"},
                                {"add_prefix_space", true},
                                {"trim_offsets", true},
                                {"use_regex", true}}}}};
    spec["model"]["ignore_merges"] = false;
    for (auto& merge : spec["model"]["merges"]) {
        const std::string text = merge.get<std::string>();
        const size_t space = text.find(' ');
        merge = nlohmann::json::array({text.substr(0, space), text.substr(space + 1)});
    }
    expect_variant_matches(spec, "variant_split", false);
}

}  // namespace
}  // namespace remask
