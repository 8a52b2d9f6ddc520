#pragma once
// A tokenizer described as llama.cpp's GGUF files describe it (`tokenizer.ggml.*`: a token
// per id, a type per token, "a b" merges, the pre-tokenizer's name), turned into the
// tokenizer.json that Hugging Face's tokenizer of the same model has, so Tokenizer gives
// exactly its ids. Only byte-level BPE (`tokenizer.ggml.model` "gpt2") with the
// pre-tokenizers we know is accepted: "qwen2" (Qwen2/2.5/3, Dream: NFC, single digits),
// "llama-bpe" (LLaMA 3, LLaDA: digits in threes, whole-word vocabulary hits) and
// "default" / "gpt2" (GPT-2's regex).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/tokenizer.h"

namespace remask {

struct VocabDescription {
    std::string model = "gpt2";  // tokenizer.ggml.model
    std::string pre = "default";  // tokenizer.ggml.pre
    std::vector<std::string_view> tokens;  // by id, byte-level text
    std::vector<int32_t> types;            // llama.cpp token types (empty: all normal)
    std::vector<std::string_view> merges;  // "left right"
    int64_t bos_id = -1;
    bool add_bos = false;
};

// The equivalent tokenizer.json; InputError("<where>: tokenizer.ggml.<key>", ...) for an
// unsupported model or pre-tokenizer.
nlohmann::json tokenizer_json_from_vocab(const VocabDescription& vocab, const std::string& where);

std::unique_ptr<Tokenizer> tokenizer_from_vocab(const VocabDescription& vocab, const std::string& where);

}  // namespace remask
