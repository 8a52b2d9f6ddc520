#include "diffusion/span_markup.h"

#include <stdexcept>

#include "core/error.h"

namespace remask {

namespace {

constexpr std::string_view kOpen = "<mask:";
constexpr int64_t kMaxSlot = 100000;

[[noreturn]] void markup_error(std::string_view field, size_t at, const std::string& message) {
    throw InputError(std::string(field), message + " at byte " + std::to_string(at));
}

}  // namespace

std::vector<MarkupSegment> parse_mask_markup(std::string_view text, std::string_view field) {
    std::vector<MarkupSegment> segments;
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) segments.push_back({std::move(literal), 0});
        literal.clear();
    };
    size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == '<' || text[i + 1] == '\\')) {
            literal += text[i + 1];
            i += 2;
            continue;
        }
        if (text.substr(i, kOpen.size()) != kOpen) {
            literal += text[i++];
            continue;
        }
        const size_t close = text.find('>', i + kOpen.size());
        if (close == std::string_view::npos) {
            markup_error(field, i, "unclosed <mask:N> tag (no '>' follows; write \\< for a literal '<')");
        }
        const std::string_view number = text.substr(i + kOpen.size(), close - i - kOpen.size());
        bool digits = !number.empty() && number.size() <= 7;
        for (char c : number) digits = digits && c >= '0' && c <= '9';
        if (!digits) {
            const std::string shown(number.substr(0, 20));
            markup_error(field, i, "bad mask count '" + shown + "' in <mask:N> (N must be a number from 1 to " +
                                       std::to_string(kMaxSlot) + ")");
        }
        const int64_t count = std::stoll(std::string(number));
        if (count == 0) markup_error(field, i, "<mask:0> asks for no tokens; use N >= 1");
        if (count > kMaxSlot) {
            markup_error(field, i, "<mask:" + std::string(number) + "> is larger than " + std::to_string(kMaxSlot));
        }
        flush();
        segments.push_back({"", count});
        i = close + 1;
    }
    flush();
    return segments;
}

std::string escape_markup_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '<' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

int64_t count_slots(const std::vector<MarkupSegment>& segments) {
    int64_t n = 0;
    for (const auto& s : segments) n += s.masks > 0 ? 1 : 0;
    return n;
}

int64_t count_masks(const std::vector<MarkupSegment>& segments) {
    int64_t n = 0;
    for (const auto& s : segments) n += s.masks;
    return n;
}

std::vector<InfillPiece> encode_segments(const std::vector<MarkupSegment>& segments,
                                         const EncodeFn& encode) {
    std::vector<InfillPiece> pieces;
    for (const auto& s : segments) {
        if (s.masks > 0) {
            pieces.push_back(InfillPiece::masked(s.masks));
        } else if (!s.text.empty()) {
            std::vector<int32_t> tokens = encode(s.text);
            if (!tokens.empty()) pieces.push_back({std::move(tokens), 0});
        }
    }
    return pieces;
}

FilledText assemble_filled_text(const std::vector<MarkupSegment>& segments,
                                const std::vector<std::vector<int32_t>>& span_tokens,
                                const DecodeFn& decode) {
    FilledText out;
    size_t slot = 0;
    for (const auto& s : segments) {
        if (s.masks == 0) {
            out.text += s.text;
            continue;
        }
        if (slot >= span_tokens.size()) {
            throw std::logic_error("assemble_filled_text: fewer filled spans than <mask:N> slots");
        }
        FilledSpan span;
        span.filled = decode(span_tokens[slot++]);
        span.start = out.text.size();
        out.text += span.filled;
        span.end = out.text.size();
        out.spans.push_back(std::move(span));
    }
    if (slot != span_tokens.size()) {
        throw std::logic_error("assemble_filled_text: more filled spans than <mask:N> slots");
    }
    return out;
}

}  // namespace remask
