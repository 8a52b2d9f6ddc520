// The dual key/value cache of span infill: a full forward that stores every position's keys
// and values (forward_refresh), and partial forwards over the active rows against them.

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/onednn.h"
#include "kernels/cpu/vector_kernels.h"
#include "model/model.h"

namespace remask {

int64_t DualKvCache::bytes() const {
    int64_t total = 0;
    for (const auto& l : keys_) total += static_cast<int64_t>(l.size() * sizeof(float));
    for (const auto& l : values_) total += static_cast<int64_t>(l.size() * sizeof(float));
    for (const auto& l : keys_bf16_) total += static_cast<int64_t>(l.size() * sizeof(uint16_t));
    for (const auto& l : values_bf16_) total += static_cast<int64_t>(l.size() * sizeof(uint16_t));
    return total;
}

void DualKvCache::clear() {
    *this = DualKvCache();
}

int64_t Model::dual_kv_cache_bytes(int64_t tokens) const {
    const int64_t element = compute_ == ComputeType::bf16 ? 2 : 4;
    return config_.num_layers * tokens * 2 * config_.num_kv_heads * config_.head_dim * element;
}

void Model::keep_dual_kv_storage(DualKvCache& cache) {
    spare_kv_ = std::move(cache);
    cache = DualKvCache();
}

void Model::require_bidirectional(const char* what) const {
    if (config_.causal)
        throw InputError(dir(), std::string(what) + " needs a bidirectional model; " + config_.model_type +
                                    " is causal (use new_cache / forward_cached)");
}

void Model::dual_cache_attention(const BlockContext& context, size_t layer, int64_t b, int64_t length, float* q,
                                 const float* k, const float* v, int64_t qkv_stride, float* out,
                                 ForwardTimer& timer) {
    DualKvCache& cache = *context.dual_cache;
    const int64_t kvd = cache.row_floats_, full = cache.length_;
    const int64_t qd = config_.num_heads * config_.head_dim;
    const VectorKernels& kernels = vector_kernels();
    // Stores row i (the position positions[i], or i at a refresh) of this step's keys and values.
    const int64_t entry = context.cache_entries ? context.cache_entries[b] : b;
    auto store = [&](int64_t i) {
        const int64_t p = context.positions ? context.positions[i] : i;
        const int64_t at = (entry * full + p) * kvd;
        if (cache.bf16_) {
            kernels.to_bf16(k + i * qkv_stride, kvd, cache.keys_bf16_[layer].data() + at);
            kernels.to_bf16(v + i * qkv_stride, kvd, cache.values_bf16_[layer].data() + at);
        } else {
            std::memcpy(cache.keys_[layer].data() + at, k + i * qkv_stride, kvd * sizeof(float));
            std::memcpy(cache.values_[layer].data() + at, v + i * qkv_stride, kvd * sizeof(float));
        }
    };
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < length; ++i) store(i);
    timer.mark(ForwardProfile::cache_writes);

    AttentionShape shape;
    shape.queries = length;
    shape.q_heads = config_.num_heads;
    shape.kv_heads = config_.num_kv_heads;
    shape.head_dim = config_.head_dim;
    if (context.dual_refresh) {  // exactly forward()'s attention over the fresh rows
        shape.keys = length;
        attention(shape, q, qkv_stride, k, v, qkv_stride, out, qd);
        timer.mark(ForwardProfile::attention);
        return;
    }
    shape.keys = full;
    if (!cache.bf16_) {  // the cache now holds the fresh active rows too
        attention(shape, q, qkv_stride, cache.keys_[layer].data() + b * full * kvd,
                  cache.values_[layer].data() + b * full * kvd, kvd, out, qd);
        timer.mark(ForwardProfile::attention);
        return;
    }
    // bf16 storage: widen this sequence's rows, the active ones from their float32 values.
    float* keys = work_.full_keys.data();
    float* values = work_.full_values.data();
    const uint16_t* stored_keys = cache.keys_bf16_[layer].data() + b * full * kvd;
    const uint16_t* stored_values = cache.values_bf16_[layer].data() + b * full * kvd;
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < full; ++p)
        for (int64_t j = 0; j < kvd; ++j) {
            keys[p * kvd + j] = bf16_to_f32(stored_keys[p * kvd + j]);
            values[p * kvd + j] = bf16_to_f32(stored_values[p * kvd + j]);
        }
    for (int64_t i = 0; i < length; ++i) {
        std::memcpy(keys + context.positions[i] * kvd, k + i * qkv_stride, kvd * sizeof(float));
        std::memcpy(values + context.positions[i] * kvd, v + i * qkv_stride, kvd * sizeof(float));
    }
    timer.mark(ForwardProfile::cache_writes);
    attention(shape, q, qkv_stride, keys, values, kvd, out, qd);
    timer.mark(ForwardProfile::attention);
}

void Model::forward_refresh(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                            std::vector<float>& logits_out, DualKvCache& cache) {
    require_bidirectional("a dual KV cache");
    use_engine_threads();
    const int64_t batch = static_cast<int64_t>(tokens.size());
    const int64_t length = same_length(tokens);
    std::vector<int64_t> sources = checked_rows(rows, length);
    // Identical sequences (a fill's K candidates at its start) run once; their cache entries
    // are copied after.
    const IdenticalGroups groups = identical_groups(tokens);
    const bool shared = !groups.first.empty();
    std::vector<std::vector<int32_t>> distinct;
    for (int64_t b : groups.first) distinct.push_back(tokens[static_cast<size_t>(b)]);
    const int64_t run_batch = shared ? static_cast<int64_t>(distinct.size()) : batch;
    std::vector<float> x;
    embed(shared ? distinct : tokens, x);

    const int64_t kvd = config_.num_kv_heads * config_.head_dim;
    const bool bf16 = compute_ == ComputeType::bf16;
    if (cache.keys_.empty() && cache.keys_bf16_.empty()) std::swap(cache, spare_kv_);
    cache.batch_ = batch;
    cache.length_ = length;
    cache.row_floats_ = kvd;
    cache.bf16_ = bf16;
    // resize keeps the vectors' memory when it shrinks or regrows within what it had.
    const size_t layers = static_cast<size_t>(config_.num_layers), n = static_cast<size_t>(batch * length * kvd);
    cache.keys_.resize(bf16 ? 0 : layers);
    cache.values_.resize(bf16 ? 0 : layers);
    cache.keys_bf16_.resize(bf16 ? layers : 0);
    cache.values_bf16_.resize(bf16 ? layers : 0);
    for (size_t l = 0; l < layers; ++l) {
        if (bf16) {
            cache.keys_bf16_[l].resize(n);
            cache.values_bf16_[l].resize(n);
        } else {
            cache.keys_[l].resize(n);
            cache.values_[l].resize(n);
        }
    }
    BlockContext context;
    context.dual_cache = &cache;
    context.dual_refresh = true;
    context.cache_entries = shared ? groups.first.data() : nullptr;
    run_blocks(x, run_batch, length, context);

    if (config_.shift_logits)
        for (int64_t& r : sources) r = std::max<int64_t>(r - 1, 0);
    if (!shared) {
        gather_logits(x, batch, length, sources, logits_out);
        return;
    }
    const size_t entry = static_cast<size_t>(length * kvd);
    auto copy_entries = [&](auto& per_layer) {
        for (auto& layer : per_layer)
            for (int64_t b = 0; b < batch; ++b) {
                const int64_t from = groups.first[static_cast<size_t>(groups.group_of[static_cast<size_t>(b)])];
                if (from != b)
                    std::copy_n(layer.data() + static_cast<size_t>(from) * entry, entry,
                                layer.data() + static_cast<size_t>(b) * entry);
            }
    };
    copy_entries(cache.keys_);
    copy_entries(cache.values_);
    copy_entries(cache.keys_bf16_);
    copy_entries(cache.values_bf16_);
    std::vector<float> per_group;
    gather_logits(x, run_batch, length, sources, per_group);
    spread_group_logits(per_group, groups.group_of, run_batch, logits_out);
}

void Model::forward_partial(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& active,
                            const std::vector<int64_t>& rows, std::vector<float>& logits_out, DualKvCache& cache) {
    require_bidirectional("a dual KV cache");
    use_engine_threads();
    const int64_t batch = static_cast<int64_t>(tokens.size());
    if (batch == 0 || cache.empty() || cache.batch_ != batch || cache.length_ != static_cast<int64_t>(tokens[0].size()))
        throw InputError("dual KV cache", "holds " + std::to_string(cache.batch_) + " x " +
                                              std::to_string(cache.length_) +
                                              " positions; refresh it for this batch before a partial forward");
    const int64_t length = cache.length_;
    for (size_t i = 0; i < active.size(); ++i)
        if (active[i] < 0 || active[i] >= length || (i > 0 && active[i] <= active[i - 1]))
            throw InputError("active rows", "must be ascending positions in [0, " + std::to_string(length) + ")");
    std::vector<int64_t> sources = checked_rows(rows, length);
    if (config_.shift_logits)
        for (int64_t& r : sources) r = std::max<int64_t>(r - 1, 0);
    // The rows computed: the active ones and every row a logit is read from.
    std::vector<int64_t> computed = active;
    computed.insert(computed.end(), sources.begin(), sources.end());
    std::sort(computed.begin(), computed.end());
    computed.erase(std::unique(computed.begin(), computed.end()), computed.end());
    const int64_t n = static_cast<int64_t>(computed.size());

    std::vector<std::vector<int32_t>> computed_tokens(batch, std::vector<int32_t>(n));
    for (int64_t b = 0; b < batch; ++b) {
        if (static_cast<int64_t>(tokens[b].size()) != length)
            throw InputError("token ids", "every sequence needs the cache's length " + std::to_string(length));
        for (int64_t i = 0; i < n; ++i) computed_tokens[b][i] = tokens[b][computed[i]];
    }
    std::vector<float> x;
    embed(computed_tokens, x);
    const int64_t kvd = cache.row_floats_;
    if (cache.bf16_) {
        if (static_cast<int64_t>(work_.full_keys.size()) < length * kvd) {
            work_.full_keys.resize(length * kvd);
            work_.full_values.resize(length * kvd);
        }
    }
    BlockContext context;
    context.dual_cache = &cache;
    context.positions = computed.data();
    run_blocks(x, batch, n, context);

    for (int64_t& r : sources) r = std::lower_bound(computed.begin(), computed.end(), r) - computed.begin();
    gather_logits(x, batch, n, sources, logits_out);
}

}  // namespace remask
