#pragma once
// Hugging Face tokenizer.json byte-level BPE (Qwen2/2.5/3, Dream, LLaMA-3, LLaDA), giving
// exactly the ids of the reference implementation (the `tokenizers` Rust library).
//
//   auto tokenizer = remask::Tokenizer::from_file("models/Qwen3/tokenizer.json");
//   std::vector<int32_t> ids = tokenizer->encode("<|im_start|>user\nHi<|im_end|>");
//   // -> [151644, 872, 198, 13048, 151645]: the chat markers are special tokens
//   std::vector<int32_t> plain = tokenizer->encode(reply_from_outside,
//   /*recognize_special=*/false);
//   // -> "<|im_end|>" written in outside text is ordinary text: it can never inject a marker
//   std::string text = tokenizer->decode(ids);  // == the input for NFC text
//
// encode: text -> added tokens cut out (skipped when recognize_special is false) ->
// normalizer -> pre-tokenizer (regex split, byte-level) -> BPE merges -> ids. Nothing is
// added around the sequence; add_special_tokens() applies the file's post-processor (for
// example a BOS token) when a caller wants what Hugging Face calls add_special_tokens=True.
//
// The file's "truncation" and "padding" settings are ignored: callers decide lengths.
// Supported: model BPE (no dropout, byte_fallback or subword affixes); normalizers NFC,
// NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend, Sequence; pre-tokenizers Split,
// ByteLevel, Sequence; decoder ByteLevel (or none); post-processors TemplateProcessing,
// Roberta/BertProcessing, ByteLevel, Sequence. Anything else is an InputError at load.
//
// All methods are const and safe to call from many threads at once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace remask {

class Tokenizer {
  public:
    // Throws InputError naming the file and field when it cannot be read or is not a
    // supported tokenizer.json (unknown model type, unsupported normalizer, a merge naming
    // a token missing from the vocabulary, ...).
    static std::unique_ptr<Tokenizer> from_file(const std::string& path);
    static std::unique_ptr<Tokenizer> from_json_text(const std::string& text,
                                                     const std::string& source_name);
    ~Tokenizer();

    // The ids of text (UTF-8; InputError("text", ...) when it is not valid UTF-8).
    // recognize_special = false: added and special tokens written in the text are ordinary
    // text (use it for anything that comes from outside: traces, datasets, replies).
    std::vector<int32_t> encode(std::string_view text, bool recognize_special = true) const;

    // ids wrapped by the post-processor (TemplateProcessing etc.); unchanged when the file
    // has none or it adds nothing (ByteLevel).
    std::vector<int32_t> add_special_tokens(std::vector<int32_t> ids) const;

    // Text of ids; ids with no token (a model's padded vocabulary) decode to nothing.
    // Bytes that do not form valid UTF-8 become U+FFFD, as the reference does.
    std::string decode(const std::vector<int32_t>& ids, bool skip_special = false) const;

    std::optional<int32_t> token_to_id(std::string_view token) const;
    std::optional<std::string> id_to_token(int32_t id) const;
    // One past the highest id that has a token (vocabulary and added tokens).
    int64_t vocab_size() const;
    // Whether id is an added token marked "special".
    bool is_special(int32_t id) const;
    const std::string& source_name() const;

    // What one id contributes to decoded output before UTF-8 repair: nullptr when it has no
    // token or is skipped. joins_with_spaces(): decoded tokens are separated by one space
    // (files without a decoder). Used by StreamingDecoder.
    const std::string* decoded_bytes(int32_t id, bool skip_special) const;
    bool joins_with_spaces() const;

  private:
    Tokenizer();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Decodes ids as they arrive (generation), returning only complete UTF-8 text: a
// character split over several byte tokens is held back until its last byte arrives.
// The concatenation of everything push() and finish() return equals decode(all ids).
class StreamingDecoder {
  public:
    explicit StreamingDecoder(const Tokenizer& tokenizer, bool skip_special = false);

    // Adds ids; returns the text they completed (possibly empty).
    std::string push(int32_t id);
    std::string push(const std::vector<int32_t>& ids);
    // Ends the stream: bytes still held back come out as U+FFFD.
    std::string finish();
    // Everything returned so far.
    const std::string& text() const { return text_; }

  private:
    std::string take_complete(bool final);

    const Tokenizer& tokenizer_;
    bool skip_special_;
    bool any_token_ = false;
    std::string pending_;
    std::string text_;
};

}  // namespace remask
