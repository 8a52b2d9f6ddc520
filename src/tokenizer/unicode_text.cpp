#include "tokenizer/unicode_text.h"

#include <utf8proc.h>

namespace remask::unicode {

namespace {

// Length of the well-formed sequence starting at text[pos], or 0 if it is ill-formed.
// For an ill-formed one, *maximal_subpart receives the length of its longest valid prefix
// (at least 1), which is what one U+FFFD replaces.
size_t well_formed_length(std::string_view text, size_t pos, size_t* maximal_subpart) {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    const uint8_t lead = byte(pos);
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;  // range of the second byte (Unicode table 3-7)
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        need = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        need = 3;
        if (lead == 0xE0) lo = 0xA0;
        if (lead == 0xED) hi = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        need = 4;
        if (lead == 0xF0) lo = 0x90;
        if (lead == 0xF4) hi = 0x8F;
    } else {
        if (maximal_subpart) *maximal_subpart = 1;
        return 0;
    }
    size_t i = 1;
    for (; i < need; ++i) {
        if (pos + i >= text.size()) break;
        const uint8_t b = byte(pos + i);
        const uint8_t low = (i == 1) ? lo : 0x80, high = (i == 1) ? hi : 0xBF;
        if (b < low || b > high) break;
    }
    if (i == need) return need;
    if (maximal_subpart) *maximal_subpart = i;
    return 0;
}

}  // namespace

size_t find_invalid_utf8(std::string_view text) {
    size_t pos = 0;
    while (pos < text.size()) {
        if (static_cast<uint8_t>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const size_t length = well_formed_length(text, pos, nullptr);
        if (length == 0) return pos;
        pos += length;
    }
    return std::string_view::npos;
}

char32_t next_code_point(std::string_view text, size_t& pos) {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
    const uint8_t lead = byte(pos);
    if (lead < 0x80) {
        ++pos;
        return lead;
    }
    if (lead < 0xE0) {
        const char32_t cp = ((lead & 0x1F) << 6) | (byte(pos + 1) & 0x3F);
        pos += 2;
        return cp;
    }
    if (lead < 0xF0) {
        const char32_t cp =
            ((lead & 0x0F) << 12) | ((byte(pos + 1) & 0x3F) << 6) | (byte(pos + 2) & 0x3F);
        pos += 3;
        return cp;
    }
    const char32_t cp = ((lead & 0x07) << 18) | ((byte(pos + 1) & 0x3F) << 12) |
                        ((byte(pos + 2) & 0x3F) << 6) | (byte(pos + 3) & 0x3F);
    pos += 4;
    return cp;
}

char32_t previous_code_point(std::string_view text, size_t& end) {
    size_t start = end - 1;
    while (start > 0 && (static_cast<uint8_t>(text[start]) & 0xC0) == 0x80) --start;
    size_t pos = start;
    const char32_t cp = next_code_point(text, pos);
    end = start;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string to_valid_utf8_lossy(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    size_t pos = 0;
    while (pos < bytes.size()) {
        size_t subpart = 1;
        const size_t length = well_formed_length(bytes, pos, &subpart);
        if (length > 0) {
            out.append(bytes.substr(pos, length));
            pos += length;
        } else {
            out.append("\xEF\xBF\xBD");
            pos += subpart;
        }
    }
    return out;
}

size_t incomplete_utf8_suffix_length(std::string_view bytes) {
    // Only the last 3 bytes can start an unfinished character.
    const size_t first = bytes.size() > 3 ? bytes.size() - 3 : 0;
    for (size_t start = first; start < bytes.size(); ++start) {
        const uint8_t lead = static_cast<uint8_t>(bytes[start]);
        if (lead < 0xC2 || lead > 0xF4) continue;
        size_t subpart = 0;
        if (well_formed_length(bytes, start, &subpart) == 0 && start + subpart == bytes.size()) {
            return bytes.size() - start;
        }
    }
    return 0;
}

bool is_whitespace(char32_t cp) {
    switch (cp) {
        case 0x09:
        case 0x0A:
        case 0x0B:
        case 0x0C:
        case 0x0D:
        case 0x20:
        case 0x85:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
            return true;
        default:
            return cp >= 0x2000 && cp <= 0x200A;
    }
}

bool is_word_character(char32_t cp) {
    if (cp < 0x80) {
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
               cp == '_';
    }
    if (cp == 0x200C || cp == 0x200D) return true;  // Join_Control
    // Other_Alphabetic symbols outside the letter and mark categories (circled letters).
    if ((cp >= 0x24B6 && cp <= 0x24E9) || (cp >= 0x1F130 && cp <= 0x1F149) ||
        (cp >= 0x1F150 && cp <= 0x1F169) || (cp >= 0x1F170 && cp <= 0x1F189)) {
        return true;
    }
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
        case UTF8PROC_CATEGORY_NL:
        case UTF8PROC_CATEGORY_MN:
        case UTF8PROC_CATEGORY_MC:
        case UTF8PROC_CATEGORY_ME:
        case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_PC:
            return true;
        default:
            return false;
    }
}

}  // namespace remask::unicode
