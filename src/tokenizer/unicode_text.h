#pragma once
// Small UTF-8 helpers the tokenizer needs: validation, code point iteration, Rust-compatible
// lossy conversion, and the character classes Hugging Face's added-token rules use.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace remask::unicode {

// Byte offset of the first ill-formed UTF-8 sequence in text, or npos when text is valid.
// Valid means well-formed per Unicode: no overlongs, no surrogates, nothing above U+10FFFF.
size_t find_invalid_utf8(std::string_view text);

// Decodes the code point starting at text[pos] (text must be valid UTF-8) and advances pos.
char32_t next_code_point(std::string_view text, size_t& pos);

// Decodes the code point ending just before text[end] (valid UTF-8) and moves end back to
// its first byte.
char32_t previous_code_point(std::string_view text, size_t& end);

void append_utf8(std::string& out, char32_t cp);

// Bytes to text the way Rust's String::from_utf8_lossy does: each maximal ill-formed
// subpart becomes one U+FFFD.
std::string to_valid_utf8_lossy(std::string_view bytes);

// Length of the incomplete UTF-8 sequence at the end of bytes (a valid prefix of a
// multi-byte character that more bytes could complete), 0..3.
size_t incomplete_utf8_suffix_length(std::string_view bytes);

// Unicode White_Space property (Rust char::is_whitespace, regex \s).
bool is_whitespace(char32_t cp);

// Rust regex \w: Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control.
bool is_word_character(char32_t cp);

}  // namespace remask::unicode
