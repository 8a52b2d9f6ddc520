#include "tokenizer/byte_level.h"

#include <array>

#include "tokenizer/unicode_text.h"

namespace remask::byte_level {

namespace {

struct Tables {
    std::array<std::string, 256> byte_text;
    std::array<char32_t, 256> byte_char{};
    std::array<int16_t, 324> char_byte{};  // every mapped char is below U+0144

    Tables() {
        char_byte.fill(-1);
        char32_t next_extra = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            const char32_t cp = printable ? static_cast<char32_t>(b) : next_extra++;
            byte_char[b] = cp;
            char_byte[cp] = static_cast<int16_t>(b);
            unicode::append_utf8(byte_text[b], cp);
        }
    }
};

const Tables& tables() {
    static const Tables instance;
    return instance;
}

}  // namespace

const std::string& byte_to_text(uint8_t b) { return tables().byte_text[b]; }

std::optional<uint8_t> char_to_byte(char32_t cp) {
    if (cp >= tables().char_byte.size() || tables().char_byte[cp] < 0) return std::nullopt;
    return static_cast<uint8_t>(tables().char_byte[cp]);
}

std::string bytes_to_text(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() * 2);
    for (const char c : raw) out += byte_to_text(static_cast<uint8_t>(c));
    return out;
}

std::optional<std::string> text_to_bytes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
        const auto byte = char_to_byte(unicode::next_code_point(text, pos));
        if (!byte) return std::nullopt;
        out.push_back(static_cast<char>(*byte));
    }
    return out;
}

}  // namespace remask::byte_level
