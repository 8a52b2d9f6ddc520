#pragma once
// `<mask:N>` span markup in text, as `remask infill --text` and `/v1/infill` take it, and
// the filled text that comes back.
//
//   auto segments = parse_mask_markup("Be <mask:3> and \\<brief>.");
//   // {"Be ", 0}, {"", 3}, {" and <brief>.", 0}
//   auto pieces = encode_segments(segments, encode);        // tokens per text segment
//   ... run_infill(...) ...
//   FilledText out = assemble_filled_text(segments, candidate.span_tokens, decode);
//   // out.text == "Be " + filled + " and <brief>."; out.spans[0] = {3, 3 + filled.size(), filled}
//
// Syntax: `<mask:N>` with N a decimal count >= 1 is a slot; `\<` is a literal `<` (so
// `\<mask:3>` is text) and `\\` a literal `\` (so `C:\\<mask:3>` is "C:\" then a slot);
// every other character, including a `\` before anything else and a `<` that does not
// start `<mask:`, is literal. Text segments are kept byte for byte in the output.
// escape_markup_text() writes any text so that it parses back unchanged.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "diffusion/infill.h"

namespace remask {

// Tokenization and decoding, supplied by the caller (the tokenizer lives elsewhere).
using EncodeFn = std::function<std::vector<int32_t>(std::string_view)>;
using DecodeFn = std::function<std::string(const std::vector<int32_t>&)>;

// A run of literal text (masks == 0) or one slot of `masks` tokens (text empty).
struct MarkupSegment {
    std::string text;
    int64_t masks = 0;
};

// Throws InputError("<field>", ...) naming the byte offset for `<mask:0>`, an unclosed
// `<mask:` tag, or a count that is not a decimal number (or above 100000).
std::vector<MarkupSegment> parse_mask_markup(std::string_view text, std::string_view field = "--text");

// `\` -> `\\` and `<` -> `\<`: the text as a literal segment of markup.
std::string escape_markup_text(std::string_view text);

int64_t count_slots(const std::vector<MarkupSegment>& segments);  // number of <mask:N> spans
int64_t count_masks(const std::vector<MarkupSegment>& segments);  // sum of N

// One InfillPiece per segment: text segments encoded with `encode` (empty text is dropped).
std::vector<InfillPiece> encode_segments(const std::vector<MarkupSegment>& segments,
                                         const EncodeFn& encode);

struct FilledSpan {
    size_t start = 0;  // byte offsets in FilledText::text
    size_t end = 0;
    std::string filled;
};

struct FilledText {
    std::string text;
    std::vector<FilledSpan> spans;
};

// Text segments verbatim, each slot replaced by decode(span_tokens[k]).
// span_tokens: one entry per slot, in order (InfillCandidate::span_tokens).
FilledText assemble_filled_text(const std::vector<MarkupSegment>& segments,
                                const std::vector<std::vector<int32_t>>& span_tokens,
                                const DecodeFn& decode);

}  // namespace remask
