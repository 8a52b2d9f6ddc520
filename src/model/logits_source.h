#pragma once
// What a sampler needs from a model: logits for chosen rows of a batch of sequences.
// The engine implements it for real checkpoints; tests implement it with scripted logits.

#include <cstdint>
#include <vector>

namespace remask {

class LogitsSource {
public:
    virtual ~LogitsSource() = default;

    virtual int64_t vocab_size() const = 0;

    // tokens: [batch][length], every sequence the same length.
    // rows:   positions (0 <= r < length) that need logits, the same for every sequence.
    // out:    resized to [batch, rows.size(), vocab] float32, row-major, exactly as a sampler
    //         must see them (Dream's shift by one already applied).
    virtual void logits(const std::vector<std::vector<int32_t>>& tokens,
                        const std::vector<int64_t>& rows, std::vector<float>& out) = 0;

    // A dual key/value cache (span infill, bidirectional models): a source that has one
    // returns true and overrides the three calls below; denoise() then refreshes it with a
    // full forward and computes the steps in between over the active positions only.
    virtual bool has_kv_cache() const { return false; }
    // logits() that also stores every position's keys and values (same logits exactly).
    virtual void logits_refresh(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                                std::vector<float>& out) {
        logits(tokens, rows, out);
    }
    // logits() computed over `active` positions (ascending) against the stored keys and
    // values of the others, which are assumed unchanged since the refresh.
    virtual void logits_partial(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& active,
                                const std::vector<int64_t>& rows, std::vector<float>& out) {
        (void)active;
        logits(tokens, rows, out);
    }
    // Frees the stored keys and values (the end of a fill).
    virtual void release_kv_cache() {}

    // Forward passes made so far (one per call, whatever the batch), for budgets and usage.
    virtual int64_t forward_passes() const = 0;
};

}  // namespace remask
