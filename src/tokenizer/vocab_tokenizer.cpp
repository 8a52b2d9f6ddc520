#include "tokenizer/vocab_tokenizer.h"

#include "core/error.h"

namespace remask {
namespace {

// The pre-tokenizer regexes of the tokenizer.json files these names stand for.
const char* kQwen2Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";
const char* kLlama3Regex =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

// llama.cpp's token types.
constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6;

nlohmann::json byte_level_spec(bool use_regex, bool trim_offsets) {
    return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", trim_offsets}, {"use_regex", use_regex}};
}

nlohmann::json split_then_bytes(const char* regex, bool trim_offsets) {
    return {{"type", "Sequence"},
            {"pretokenizers",
             {{{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}},
              byte_level_spec(false, trim_offsets)}}};
}

}  // namespace

nlohmann::json tokenizer_json_from_vocab(const VocabDescription& v, const std::string& where) {
    if (v.model != "gpt2")
        throw InputError(where + ": tokenizer.ggml.model",
                         "'" + v.model + "' is not supported (only byte-level BPE, \"gpt2\")");
    if (!v.types.empty() && v.types.size() != v.tokens.size())
        throw InputError(where + ": tokenizer.ggml.token_type", "has " + std::to_string(v.types.size()) +
                                                                    " entries for " + std::to_string(v.tokens.size()) +
                                                                    " tokens");
    nlohmann::json root;
    bool ignore_merges = false;
    if (v.pre == "qwen2") {
        root["normalizer"] = {{"type", "NFC"}};
        root["pre_tokenizer"] = split_then_bytes(kQwen2Regex, false);
    } else if (v.pre == "llama-bpe") {
        root["normalizer"] = nullptr;
        root["pre_tokenizer"] = split_then_bytes(kLlama3Regex, true);
        ignore_merges = true;
    } else if (v.pre == "default" || v.pre == "gpt2" || v.pre == "gpt-2") {
        root["normalizer"] = nullptr;
        root["pre_tokenizer"] = byte_level_spec(true, true);
    } else {
        throw InputError(where + ": tokenizer.ggml.pre",
                         "'" + v.pre + "' is not supported (qwen2, llama-bpe, default); put the model's "
                         "tokenizer.json beside the file");
    }
    nlohmann::json vocab = nlohmann::json::object();
    nlohmann::json added = nlohmann::json::array();
    for (size_t id = 0; id < v.tokens.size(); ++id) {
        const int32_t type = v.types.empty() ? kNormal : v.types[id];
        const std::string text(v.tokens[id]);
        if (type == kUnused) continue;  // "[PADi]": ids without a token
        if (type == kControl || type == kUserDefined) {
            added.push_back({{"id", id}, {"content", text}, {"single_word", false}, {"lstrip", false},
                             {"rstrip", false}, {"normalized", false}, {"special", type == kControl}});
        } else if (type == kNormal || type == kByte || type == kUnknown) {
            vocab[text] = id;
        } else {
            throw InputError(where + ": tokenizer.ggml.token_type",
                             "token " + std::to_string(id) + " has unknown type " + std::to_string(type));
        }
    }
    nlohmann::json merges = nlohmann::json::array();
    for (std::string_view m : v.merges) merges.push_back(std::string(m));
    root["added_tokens"] = added;
    root["model"] = {{"type", "BPE"},           {"dropout", nullptr},     {"unk_token", nullptr},
                     {"fuse_unk", false},       {"byte_fallback", false}, {"ignore_merges", ignore_merges},
                     {"vocab", vocab},          {"merges", merges}};
    root["decoder"] = byte_level_spec(true, true);
    if (v.add_bos && v.bos_id >= 0 && static_cast<size_t>(v.bos_id) < v.tokens.size()) {
        const std::string bos(v.tokens[v.bos_id]);
        root["post_processor"] = {
            {"type", "TemplateProcessing"},
            {"single", {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}}, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
            {"pair", nlohmann::json::array()},
            {"special_tokens", {{bos, {{"id", bos}, {"ids", {v.bos_id}}, {"tokens", {bos}}}}}}};
    } else {
        root["post_processor"] = nullptr;
    }
    return root;
}

std::unique_ptr<Tokenizer> tokenizer_from_vocab(const VocabDescription& vocab, const std::string& where) {
    std::string text;
    try {
        text = tokenizer_json_from_vocab(vocab, where).dump();
    } catch (const nlohmann::json::exception&) {
        throw InputError(where + ": tokenizer.ggml.tokens", "a token or merge is not valid UTF-8");
    }
    return Tokenizer::from_json_text(text, where);
}

}  // namespace remask
