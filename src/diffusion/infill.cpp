#include "diffusion/infill.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace remask {

namespace {

bool contains(const std::vector<int32_t>& ids, int32_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

InfillLayout make_infill_layout(const std::vector<int32_t>& prefix,
                                const std::vector<InfillPiece>& pieces,
                                const std::vector<int32_t>& suffix, int64_t slack,
                                int32_t mask_id) {
    require_mask_token(mask_id);
    if (slack < 0) throw UsageError("--slack", "must be >= 0, got " + std::to_string(slack));
    InfillLayout layout;
    auto keep = [&](const std::vector<int32_t>& tokens, const char* where) {
        if (contains(tokens, mask_id)) {
            throw InputError(where, "contains the model's mask token (id " + std::to_string(mask_id) +
                                        ") outside a <mask:N> slot; remove it or write a slot");
        }
        layout.tokens.insert(layout.tokens.end(), tokens.begin(), tokens.end());
    };
    keep(prefix, "context");
    layout.prefix_length = int64_t(prefix.size());
    for (const InfillPiece& piece : pieces) {
        if (piece.masks < 0 || (piece.masks == 0 && piece.tokens.empty())) {
            throw InputError("--text", "a masked span needs at least one slot");
        }
        if (piece.masks == 0) {
            keep(piece.tokens, "--text");
            continue;
        }
        SlotSpan span;
        span.begin = int64_t(layout.tokens.size());
        layout.tokens.insert(layout.tokens.end(), size_t(piece.masks + slack), mask_id);
        span.end = int64_t(layout.tokens.size());
        layout.spans.push_back(span);
    }
    keep(suffix, "context");
    layout.suffix_length = int64_t(suffix.size());
    return layout;
}

std::vector<int32_t> drop_filler(const std::vector<int32_t>& tokens,
                                 const std::vector<int32_t>& filler) {
    std::vector<int32_t> kept;
    kept.reserve(tokens.size());
    for (int32_t id : tokens) {
        if (!contains(filler, id)) kept.push_back(id);
    }
    return kept;
}

InfillResult run_infill(LogitsSource& source, Sampler& sampler, const InfillLayout& layout,
                        int64_t candidates, const std::vector<int32_t>& filler,
                        const DenoiseOptions& options) {
    if (candidates < 1) {
        throw UsageError("--candidates", "must be at least 1, got " + std::to_string(candidates));
    }
    std::vector<std::vector<int32_t>> batch(size_t(candidates), layout.tokens);
    InfillResult result;
    result.denoise = denoise(source, sampler, batch, options);
    const int64_t text_end = int64_t(layout.tokens.size()) - layout.suffix_length;
    for (auto& filled : batch) {
        InfillCandidate c;
        size_t next_span = 0;
        for (int64_t p = layout.prefix_length; p < text_end;) {
            if (next_span < layout.spans.size() && layout.spans[next_span].begin == p) {
                const SlotSpan& span = layout.spans[next_span++];
                std::vector<int32_t> slots(filled.begin() + span.begin, filled.begin() + span.end);
                c.span_tokens.push_back(drop_filler(slots, filler));
                c.text_tokens.insert(c.text_tokens.end(), c.span_tokens.back().begin(),
                                     c.span_tokens.back().end());
                p = span.end;
            } else {
                c.text_tokens.push_back(filled[size_t(p)]);
                ++p;
            }
        }
        c.tokens = std::move(filled);
        result.candidates.push_back(std::move(c));
    }
    return result;
}

void check_context_budget(int64_t context_tokens, int64_t mask_slots, int64_t max_length,
                          const char* field) {
    if (max_length <= 0 || context_tokens + mask_slots <= max_length) return;
    throw InputError(field, std::to_string(mask_slots) + " masked slots + " +
                                std::to_string(context_tokens) + " context tokens = " +
                                std::to_string(context_tokens + mask_slots) +
                                " tokens, more than the model's context of " +
                                std::to_string(max_length) +
                                "; use fewer or shorter <mask:N> spans, less --slack or a "
                                "shorter text");
}

void check_generation_options(const GenerationOptions& o) {
    if (o.gen_length < 1) {
        throw UsageError("--gen-length", "must be at least 1, got " + std::to_string(o.gen_length));
    }
    if (o.block_length < 0) {
        throw UsageError("--block-length", "must be >= 0, got " + std::to_string(o.block_length));
    }
    const int64_t block = o.block_length == 0 ? o.gen_length : o.block_length;
    if (o.gen_length % block != 0) {
        throw UsageError("--block-length", "gen_length " + std::to_string(o.gen_length) +
                                               " must be a multiple of block_length " +
                                               std::to_string(block));
    }
    const int64_t blocks = o.gen_length / block;
    if (o.steps < 1 || o.steps % blocks != 0) {
        throw UsageError("--steps", std::to_string(o.steps) + " steps must be a positive multiple of the " +
                                        std::to_string(blocks) + " blocks (gen_length / block_length)");
    }
}

GenerationResult run_generation(LogitsSource& source, Sampler& sampler,
                                const std::vector<int32_t>& prompt, int64_t gen_length,
                                int64_t candidates, const std::vector<int32_t>& stop_tokens,
                                const DenoiseOptions& options) {
    require_mask_token(options.mask_id);
    if (candidates < 1) {
        throw UsageError("--candidates", "must be at least 1, got " + std::to_string(candidates));
    }
    if (contains(prompt, options.mask_id)) {
        throw InputError("--prompt", "contains the model's mask token (id " +
                                         std::to_string(options.mask_id) + ")");
    }
    std::vector<int32_t> input = prompt;
    input.insert(input.end(), size_t(gen_length), options.mask_id);
    std::vector<std::vector<int32_t>> batch(size_t(candidates), input);
    GenerationResult result;
    result.denoise = denoise(source, sampler, batch, options);
    for (const auto& row : batch) {
        std::vector<int32_t> answer(row.begin() + int64_t(prompt.size()), row.end());
        auto stop = std::find_if(answer.begin(), answer.end(),
                                 [&](int32_t id) { return contains(stop_tokens, id); });
        result.texts.emplace_back(answer.begin(), stop);
        result.answers.push_back(std::move(answer));
    }
    return result;
}

}  // namespace remask
