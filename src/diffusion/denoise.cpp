#include "diffusion/denoise.h"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/error.h"

namespace remask {

std::vector<std::vector<int64_t>> masked_positions(const std::vector<std::vector<int32_t>>& tokens,
                                                   int32_t mask_id) {
    std::vector<std::vector<int64_t>> masked(tokens.size());
    for (size_t row = 0; row < tokens.size(); ++row) {
        for (size_t p = 0; p < tokens[row].size(); ++p) {
            if (tokens[row][p] == mask_id) masked[row].push_back(int64_t(p));
        }
    }
    return masked;
}

void require_mask_token(int32_t mask_id) {
    if (mask_id < 0) {
        throw InputError("model", "has no mask token (no mask_token_id in config.json), so it "
                                  "cannot fill masked spans; use a diffusion model such as "
                                  "LLaDA or Dream");
    }
}

namespace {

// The batch sent to the model: the sequences, then (with CFG) their unconditional copies.
std::vector<std::vector<int32_t>> model_batch(const std::vector<std::vector<int32_t>>& tokens,
                                              const std::vector<bool>& prompt, bool cfg,
                                              int32_t mask_id) {
    if (!cfg) return tokens;
    std::vector<std::vector<int32_t>> batch = tokens;
    for (const auto& row : tokens) {
        std::vector<int32_t> un = row;
        for (size_t p = 0; p < un.size(); ++p) {
            if (prompt[p]) un[p] = mask_id;
        }
        batch.push_back(std::move(un));
    }
    return batch;
}

}  // namespace

DenoiseResult denoise(LogitsSource& source, Sampler& sampler,
                      std::vector<std::vector<int32_t>>& tokens, const DenoiseOptions& options) {
    require_mask_token(options.mask_id);
    DenoiseResult result;
    if (tokens.empty()) return result;
    const size_t batch = tokens.size();
    const int64_t length = int64_t(tokens[0].size());
    for (const auto& row : tokens) {
        if (int64_t(row.size()) != length) {
            throw InputError("batch", "sequences must have the same length to be denoised together");
        }
    }
    const int64_t vocab = source.vocab_size();
    const bool cfg = options.cfg_scale > 0.0;

    std::vector<std::vector<int64_t>> masked = masked_positions(tokens, options.mask_id);
    // Which positions the unconditional pass hides.
    std::vector<bool> prompt(size_t(length), false);
    for (int64_t p = 0; p < length; ++p) {
        if (options.cfg_prompt_length >= 0) {
            prompt[size_t(p)] = p < options.cfg_prompt_length;
        } else {
            prompt[size_t(p)] = tokens[0][size_t(p)] != options.mask_id;
        }
    }
    std::vector<int32_t> forbidden = options.forbidden_tokens;
    forbidden.push_back(options.mask_id);

    if (options.dual_kv_cache && options.kv_refresh < 1)
        throw InputError("kv_refresh", "must be at least 1 (steps between full forwards), got " +
                                           std::to_string(options.kv_refresh));
    const bool dual = options.dual_kv_cache && source.has_kv_cache();
    std::vector<int64_t> active;  // the positions partial forwards compute, fixed at a refresh
    int64_t since_refresh = 0;
    struct ReleaseAtExit {  // the cache can be gigabytes: free it however the fill ends
        LogitsSource& source;
        bool dual;
        ~ReleaseAtExit() {
            if (dual) source.release_kv_cache();
        }
    } release_at_exit{source, dual};

    const KeyedRng rng(options.seed);
    sampler.begin(masked, length, rng);
    StepPlan plan;
    std::vector<float> logits;
    std::vector<Reveal> reveals;
    while (sampler.next_step(masked, plan)) {
        if (plan.eligible.size() != batch) throw std::logic_error("sampler planned the wrong batch size");
        // Rows to compute: the union of eligible positions, ascending.
        std::vector<int64_t> rows;
        for (const auto& e : plan.eligible) rows.insert(rows.end(), e.begin(), e.end());
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());

        const auto batch_tokens = model_batch(tokens, prompt, cfg, options.mask_id);
        const bool outside = std::any_of(rows.begin(), rows.end(), [&](int64_t r) {
            return !std::binary_search(active.begin(), active.end(), r);
        });
        if (!dual) {
            source.logits(batch_tokens, rows, logits);
            ++result.full_forwards;
        } else if (outside || since_refresh >= options.kv_refresh) {
            active = rows;
            source.logits_refresh(batch_tokens, rows, logits);
            since_refresh = 1;
            ++result.full_forwards;
        } else {
            source.logits_partial(batch_tokens, active, rows, logits);
            ++since_refresh;
        }
        const size_t row_count = rows.size();
        const size_t stride = row_count * size_t(vocab);
        const size_t expected = (cfg ? 2 : 1) * batch * stride;
        if (logits.size() != expected) {
            throw std::logic_error("LogitsSource returned " + std::to_string(logits.size()) +
                                   " logits, expected " + std::to_string(expected));
        }
        if (cfg) {
            const float scale = float(options.cfg_scale + 1.0);
            for (size_t i = 0; i < batch * stride; ++i) {
                const float un = logits[batch * stride + i];
                logits[i] = un + scale * (logits[i] - un);
            }
        }
        for (size_t i = 0; i < batch * row_count; ++i) {
            for (int32_t id : forbidden) {
                if (id >= 0 && id < vocab) logits[i * size_t(vocab) + size_t(id)] = -std::numeric_limits<float>::infinity();
            }
        }

        StepTrace trace;
        trace.step = plan.step;
        trace.rows.resize(batch);
        for (size_t row = 0; row < batch; ++row) {
            const auto& eligible = plan.eligible[row];
            if (eligible.empty()) continue;
            std::vector<const float*> row_logits(eligible.size());
            for (size_t i = 0; i < eligible.size(); ++i) {
                const size_t r = size_t(std::lower_bound(rows.begin(), rows.end(), eligible[i]) - rows.begin());
                row_logits[i] = logits.data() + row * stride + r * size_t(vocab);
            }
            RowStep rs;
            rs.step = plan.step;
            rs.row = row;
            rs.positions = eligible;
            rs.logits = row_logits;
            rs.vocab = vocab;
            rs.rng = &rng;
            rs.pool = options.pool;
            reveals.clear();
            sampler.choose(rs, reveals);
            for (const Reveal& r : reveals) {
                // The promise that unmasked tokens never change is enforced here, once.
                if (!std::binary_search(eligible.begin(), eligible.end(), r.position) ||
                    tokens[row][size_t(r.position)] != options.mask_id) {
                    throw std::logic_error(std::string(sampler.name()) + " revealed position " +
                                           std::to_string(r.position) + " that was not eligible");
                }
                tokens[row][size_t(r.position)] = r.token;
                auto& m = masked[row];
                m.erase(std::lower_bound(m.begin(), m.end(), r.position));
            }
            trace.rows[row] = reveals;
        }
        ++result.steps;
        if (options.on_step) options.on_step(trace);
        if (options.record_trace) result.trace.push_back(std::move(trace));
    }
    for (size_t row = 0; row < batch; ++row) {
        if (!masked[row].empty()) {
            throw std::logic_error(std::string(sampler.name()) + " finished with " +
                                   std::to_string(masked[row].size()) + " masks left in row " +
                                   std::to_string(row));
        }
    }
    return result;
}

}  // namespace remask
