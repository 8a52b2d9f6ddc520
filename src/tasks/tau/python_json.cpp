#include "tasks/tau/python_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include "llm/sha256.h"

namespace remask::tau {
namespace {

// Decodes one UTF-8 code point at text[i], advancing i; invalid bytes come back as themselves
// (Python would have failed to load them; we only need to not crash).
uint32_t next_code_point(std::string_view text, size_t& i) {
    auto byte = static_cast<unsigned char>(text[i]);
    int extra = byte < 0x80 ? 0 : (byte >> 5) == 0x6 ? 1 : (byte >> 4) == 0xE ? 2 : (byte >> 3) == 0x1E ? 3 : -1;
    if (extra <= 0 || i + extra >= text.size()) {
        ++i;
        return byte;
    }
    uint32_t cp = byte & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
        auto cont = static_cast<unsigned char>(text[i + k]);
        if ((cont & 0xC0) != 0x80) {
            ++i;
            return byte;
        }
        cp = (cp << 6) | (cont & 0x3F);
    }
    i += extra + 1;
    return cp;
}

void append_hex(std::string& out, const char* format, uint32_t value) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, format, value);
    out += buffer;
}

void dump_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (size_t i = 0; i < text.size();) {
        uint32_t cp = next_code_point(text, i);
        switch (cp) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            default: break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            out += static_cast<char>(cp);
        } else if (cp < 0x10000) {
            append_hex(out, "\\u%04x", cp);
        } else {
            uint32_t v = cp - 0x10000;
            append_hex(out, "\\u%04x", 0xD800 + (v >> 10));
            append_hex(out, "\\u%04x", 0xDC00 + (v & 0x3FF));
        }
    }
    out += '"';
}

// Python's str.isprintable() without the Unicode tables: ASCII exactly, and the common
// non-printable ranges above it (C1 controls, spaces other than ' ', format characters,
// line/paragraph separators, surrogates, private use). Data from upstream is ASCII.
bool is_printable(uint32_t cp) {
    if (cp < 0x20 || cp == 0x7F) return false;
    if (cp < 0x7F) return true;
    if (cp <= 0xA0 || cp == 0xAD) return false;
    if ((cp >= 0x2000 && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202F) ||
        (cp >= 0x205F && cp <= 0x206F) || cp == 0x3000 || cp == 0xFEFF || cp == 0x1680) {
        return false;
    }
    if ((cp >= 0xD800 && cp <= 0xF8FF) || (cp >= 0xFFF9 && cp <= 0xFFFB)) return false;
    if (cp >= 0xF0000) return false;
    return true;
}

void repr_string(std::string& out, std::string_view text) {
    // Python picks double quotes only when the text has a ' and no ".
    bool has_single = text.find('\'') != std::string_view::npos;
    bool has_double = text.find('"') != std::string_view::npos;
    char quote = has_single && !has_double ? '"' : '\'';
    out += quote;
    for (size_t i = 0; i < text.size();) {
        size_t start = i;
        uint32_t cp = next_code_point(text, i);
        if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\t') {
            out += "\\t";
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (is_printable(cp)) {
            out.append(text.substr(start, i - start));
        } else if (cp < 0x100) {
            append_hex(out, "\\x%02x", cp);
        } else if (cp < 0x10000) {
            append_hex(out, "\\u%04x", cp);
        } else {
            append_hex(out, "\\U%08x", cp);
        }
    }
    out += quote;
}

std::string repr_number(const Json& value) {
    if (value.is_number_unsigned()) return std::to_string(value.get<uint64_t>());
    if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
    return python_float_repr(value.get<double>());
}

// json.dumps and repr() walk containers the same way; they differ in how strings, the
// three constants and non-finite floats are written.
struct PythonStyle {
    void (*write_string)(std::string&, std::string_view);
    const char* true_word;
    const char* false_word;
    const char* none_word;
    bool json_non_finite;  // json.dumps writes NaN / Infinity; repr writes nan / inf
};

void write_python(std::string& out, const Json& value, const PythonStyle& style) {
    switch (value.type()) {
        case Json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [key, item] : value.items()) {
                if (!first) out += ", ";
                first = false;
                style.write_string(out, key);
                out += ": ";
                write_python(out, item, style);
            }
            out += '}';
            return;
        }
        case Json::value_t::array: {
            out += '[';
            for (size_t i = 0; i < value.size(); ++i) {
                if (i) out += ", ";
                write_python(out, value[i], style);
            }
            out += ']';
            return;
        }
        case Json::value_t::string: style.write_string(out, value.get_ref<const std::string&>()); return;
        case Json::value_t::boolean: out += value.get<bool>() ? style.true_word : style.false_word; return;
        case Json::value_t::null:
        case Json::value_t::discarded: out += style.none_word; return;
        case Json::value_t::number_float: {
            double number = value.get<double>();
            if (style.json_non_finite && std::isnan(number)) out += "NaN";
            else if (style.json_non_finite && std::isinf(number)) out += number > 0 ? "Infinity" : "-Infinity";
            else out += python_float_repr(number);
            return;
        }
        default: out += repr_number(value); return;
    }
}

const PythonStyle kJsonDumps{dump_json_string, "true", "false", "null", true};
const PythonStyle kRepr{repr_string, "True", "False", "None", false};

void dump_json(std::string& out, const Json& value) { write_python(out, value, kJsonDumps); }
void repr_value(std::string& out, const Json& value) { write_python(out, value, kRepr); }

void hashable_repr(std::string& out, const Json& value) {
    if (value.is_object()) {
        std::vector<std::pair<const std::string*, const Json*>> items;
        items.reserve(value.size());
        for (const auto& [key, item] : value.items()) items.emplace_back(&key, &item);
        // Python compares str by code point, which is UTF-8 byte order.
        std::sort(items.begin(), items.end(),
                  [](const auto& a, const auto& b) { return *a.first < *b.first; });
        out += '(';
        for (size_t i = 0; i < items.size(); ++i) {
            if (i) out += ", ";
            out += '(';
            repr_string(out, *items[i].first);
            out += ", ";
            hashable_repr(out, *items[i].second);
            out += ')';
        }
        if (items.size() == 1) out += ',';
        out += ')';
        return;
    }
    if (value.is_array()) {
        out += '(';
        for (size_t i = 0; i < value.size(); ++i) {
            if (i) out += ", ";
            hashable_repr(out, value[i]);
        }
        if (value.size() == 1) out += ',';
        out += ')';
        return;
    }
    repr_value(out, value);
}

}  // namespace

std::string python_float_repr(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";

    // Shortest round-trip digits in scientific form, e.g. "-1.2345e+02".
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    std::string_view sci(buffer, result.ptr - buffer);
    bool negative = sci.front() == '-';
    if (negative) sci.remove_prefix(1);
    size_t e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_pos)) {
        if (c != '.') digits += c;
    }
    int exponent = std::stoi(std::string(sci.substr(e_pos + 1)));

    std::string out = negative ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
        out += digits[0];
        if (digits.size() > 1) {
            out += '.';
            out += digits.substr(1);
        }
        char exp_text[16];
        std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        out += exp_text;
        return out;
    }
    if (exponent < 0) {
        out += "0.";
        out += std::string(static_cast<size_t>(-exponent - 1), '0');
        out += digits;
        return out;
    }
    size_t int_len = static_cast<size_t>(exponent) + 1;
    if (digits.size() <= int_len) {
        out += digits;
        out += std::string(int_len - digits.size(), '0');
        out += ".0";
    } else {
        out += digits.substr(0, int_len);
        out += '.';
        out += digits.substr(int_len);
    }
    return out;
}

std::string python_json_dumps(const Json& value) {
    std::string out;
    dump_json(out, value);
    return out;
}

std::string python_repr(const Json& value) {
    std::string out;
    repr_value(out, value);
    return out;
}

std::string python_str(const Json& value) {
    if (value.is_string()) return value.get<std::string>();
    return python_repr(value);
}

std::string python_hashable_repr(const Json& value) {
    std::string out;
    out.reserve(1 << 20);
    hashable_repr(out, value);
    return out;
}

std::string upstream_data_hash(const Json& data) { return sha256_hex(python_hashable_repr(data)); }

namespace {

bool same_kind(const Json& a, const Json& b) {
    auto kind = [](const Json& x) {
        return x.type() == Json::value_t::number_unsigned ? Json::value_t::number_integer : x.type();
    };
    return kind(a) == kind(b);
}

// Same kinds, same key order, same values: implies equal reprs, and is cheap.
bool strictly_equal(const Json& a, const Json& b) {
    if (!same_kind(a, b)) return false;
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
            if (ia.key() != ib.key() || !strictly_equal(ia.value(), ib.value())) return false;
        }
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (!strictly_equal(a[i], b[i])) return false;
        }
        return true;
    }
    if (a.is_number_float()) {
        // Equal reprs <=> the same double (0.0 and -0.0 print differently).
        double x = a.get<double>(), y = b.get<double>();
        return (x == y && std::signbit(x) == std::signbit(y)) || (std::isnan(x) && std::isnan(y));
    }
    return a == b;
}

}  // namespace

bool identical_json(const Json& a, const Json& b) { return strictly_equal(a, b); }

bool python_values_equal(const Json& a, const Json& b) {
    if (strictly_equal(a, b)) return true;
    if (a.is_object() && b.is_object()) {
        if (a.size() != b.size()) return false;
        for (const auto& [key, value] : a.items()) {
            auto it = b.find(key);
            if (it == b.end() || !python_values_equal(value, *it)) return false;
        }
        return true;
    }
    if (a.is_array() && b.is_array()) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (!python_values_equal(a[i], b[i])) return false;
        }
        return true;
    }
    return false;
}

std::string python_type_name(const Json& value) {
    switch (value.type()) {
        case Json::value_t::object: return "dict";
        case Json::value_t::array: return "list";
        case Json::value_t::string: return "str";
        case Json::value_t::boolean: return "bool";
        case Json::value_t::number_float: return "float";
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned: return "int";
        default: return "NoneType";
    }
}

}  // namespace remask::tau
