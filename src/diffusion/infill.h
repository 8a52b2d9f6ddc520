#pragma once
// Span infill and diffusion generation at the token level.
//
//   // "Be <mask:3> and brief." with slack 2 after a chat prefix:
//   std::vector<InfillPiece> pieces = {{encode("Be ")}, InfillPiece::masked(3), {encode(" and brief.")}};
//   InfillLayout layout = make_infill_layout(prefix, pieces, suffix, /*slack=*/2, mask_id);
//   InfillResult r = run_infill(source, *sampler, layout, /*candidates=*/4, {eos, pad}, options);
//   r.candidates[k].span_tokens[0]  // what candidate k wrote in the span, filler removed
//
// Promises: tokens outside the spans are never changed; each span of n masks gets n + slack
// slots; filler ids written in a span are dropped from span_tokens and from text_tokens;
// the K candidates are denoised together, one batched LogitsSource call per step.

#include <cstdint>
#include <vector>

#include "diffusion/denoise.h"

namespace remask {

// Either tokens kept as they are, or a span of `masks` masked slots.
struct InfillPiece {
    std::vector<int32_t> tokens;
    int64_t masks = 0;

    static InfillPiece masked(int64_t count) { return InfillPiece{{}, count}; }
};

// [begin, end) positions of one span's slots in InfillLayout::tokens.
struct SlotSpan {
    int64_t begin = 0;
    int64_t end = 0;
};

struct InfillLayout {
    std::vector<int32_t> tokens;  // prefix + pieces + suffix; slots hold the mask id
    std::vector<SlotSpan> spans;  // one per masked piece, in order
    int64_t prefix_length = 0;    // tokens before the first piece (the chat prefix)
    int64_t suffix_length = 0;    // tokens after the last piece
};

// Throws InputError when mask_id < 0, when a piece has a negative or zero mask count, or
// when kept tokens contain the mask id (they would be filled as if masked).
InfillLayout make_infill_layout(const std::vector<int32_t>& prefix,
                                const std::vector<InfillPiece>& pieces,
                                const std::vector<int32_t>& suffix, int64_t slack,
                                int32_t mask_id);

struct InfillCandidate {
    std::vector<int32_t> tokens;                    // the whole filled sequence
    std::vector<std::vector<int32_t>> span_tokens;  // [span] filled tokens, filler dropped
    std::vector<int32_t> text_tokens;               // the pieces (no prefix/suffix), filler
                                                    // dropped from the spans
};

struct InfillResult {
    std::vector<InfillCandidate> candidates;
    DenoiseResult denoise;
};

// Denoises `candidates` copies of layout.tokens together. filler: end-of-text / pad ids
// dropped from the spans afterwards.
InfillResult run_infill(LogitsSource& source, Sampler& sampler, const InfillLayout& layout,
                        int64_t candidates, const std::vector<int32_t>& filler,
                        const DenoiseOptions& options);

// Removes every filler id from `tokens`.
std::vector<int32_t> drop_filler(const std::vector<int32_t>& tokens,
                                 const std::vector<int32_t>& filler);

// Throws InputError ("<field>: ...") when context_tokens + mask_slots > max_length.
// max_length <= 0 means no limit.
void check_context_budget(int64_t context_tokens, int64_t mask_slots, int64_t max_length,
                          const char* field = "--text");

// Diffusion generation: the prompt followed by gen_length masked slots.
struct GenerationOptions {
    int64_t gen_length = 128;
    int64_t block_length = 0;  // 0 = gen_length (one block)
    int64_t steps = 128;
};

// The reference's rules (LLaDA generate.py): gen_length >= 1, gen_length a multiple of
// block_length, steps a multiple of gen_length / block_length. Throws UsageError.
void check_generation_options(const GenerationOptions& options);

struct GenerationResult {
    std::vector<std::vector<int32_t>> answers;  // [candidate] the gen_length answer tokens
    std::vector<std::vector<int32_t>> texts;    // [candidate] answer cut at the first stop id
    DenoiseResult denoise;
};

GenerationResult run_generation(LogitsSource& source, Sampler& sampler,
                                const std::vector<int32_t>& prompt, int64_t gen_length,
                                int64_t candidates, const std::vector<int32_t>& stop_tokens,
                                const DenoiseOptions& options);

}  // namespace remask
