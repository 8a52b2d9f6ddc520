#pragma once
// GPT-2's reversible map between the 256 byte values and printable Unicode characters, so
// that byte-level BPE vocabularies can be stored as text: bytes 0x21-0x7E, 0xA1-0xAC and
// 0xAE-0xFF map to themselves, the other 68 to U+0100 onwards in byte order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace remask::byte_level {

// The mapped character of byte b, as UTF-8.
const std::string& byte_to_text(uint8_t b);

// The byte whose mapped character is cp, if any.
std::optional<uint8_t> char_to_byte(char32_t cp);

// Maps every byte of raw to its character: "Hello world" -> "HelloĠworld".
std::string bytes_to_text(std::string_view raw);

// The inverse of bytes_to_text; nullopt when some character of text is not in the map.
// text must be valid UTF-8.
std::optional<std::string> text_to_bytes(std::string_view text);

}  // namespace remask::byte_level
