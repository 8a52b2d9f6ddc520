#pragma once
// tokenizer.json pre-tokenizers: Split (literal or PCRE2 regex, every split behaviour),
// ByteLevel (optional prefix space and GPT-2 regex), and Sequence of these.
//
// The pieces a pre-tokenizer produces are views into the text it was given, or into
// `arena` when a piece had to be rewritten (ByteLevel's prefix space). ByteLevel's
// byte-to-character mapping is not applied here: the BPE model works on raw bytes with a
// vocabulary converted once at load time, which gives the same ids without re-encoding
// every piece.

#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace remask {

class PreTokenizer {
  public:
    virtual ~PreTokenizer() = default;
    // Appends the non-empty pieces of text to out, left to right.
    virtual void split(std::string_view text, std::vector<std::string_view>& out,
                       std::deque<std::string>& arena) const = 0;
    // Whether the model must treat pieces as byte-level (a ByteLevel step ends the chain).
    virtual bool ends_with_byte_level() const { return false; }
    // Whether a ByteLevel step appears anywhere (only the last position is supported).
    virtual bool contains_byte_level() const { return ends_with_byte_level(); }
};

// Builds the pre-tokenizer described by spec; null spec gives nullptr. Throws
// InputError(where, ...) for an unsupported type or bad field.
std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& spec,
                                                 const std::string& where);

}  // namespace remask
