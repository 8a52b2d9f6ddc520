#include "model/model.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/norm.h"

namespace remask {
namespace {

const float* or_null(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

// y [m, w.rows] = x [m, w.cols] · wᵀ + bias.
void linear(const float* x, int64_t m, const Weight& w, const std::vector<float>& bias, float* y) {
    matmul_nt(x, m, w, y);
    if (!bias.empty()) add_bias_rows(y, m, w.rows, bias.data());
}

int64_t same_length(const std::vector<std::vector<int32_t>>& tokens) {
    if (tokens.empty() || tokens[0].empty())
        throw InputError("token ids", "need at least one sequence of at least one token");
    const size_t length = tokens[0].size();
    for (size_t b = 1; b < tokens.size(); ++b)
        if (tokens[b].size() != length)
            throw InputError("token ids", "sequence " + std::to_string(b) + " has " +
                                              std::to_string(tokens[b].size()) + " tokens, sequence 0 has " +
                                              std::to_string(length) + " (a batch needs equal lengths)");
    return static_cast<int64_t>(length);
}

}  // namespace

Model::Model(Checkpoint checkpoint, ModelConfig config)
    : checkpoint_(std::move(checkpoint)), config_(std::move(config)) {
    weights_ = load_transformer_weights(checkpoint_, config_);
    rope_ = RopeTable(rope_frequencies(config_), 256);
}

std::unique_ptr<Model> Model::load(const std::string& dir, const LoadOptions&) {
    Checkpoint checkpoint = Checkpoint::open(dir);
    ModelConfig config = parse_model_config(checkpoint.config(), checkpoint.config_path());
    return std::unique_ptr<Model>(new Model(std::move(checkpoint), std::move(config)));
}

std::string Model::weight_dtype() const {
    std::string out;
    for (DType t : weights_.dtypes) {
        if (!out.empty()) out += '+';
        out += dtype_name(t);
    }
    return out;
}

int64_t Model::activation_bytes(int64_t tokens, int64_t rows) const {
    const ModelConfig& c = config_;
    const int64_t per_token = 3 * c.hidden_size + 2 * c.num_heads * c.head_dim +
                              2 * c.num_kv_heads * c.head_dim + 2 * c.ffn_size;
    return 4 * (tokens * per_token + rows * (c.hidden_size + c.vocab_size));
}

void Model::embed(const std::vector<std::vector<int32_t>>& tokens, std::vector<float>& x) const {
    const int64_t batch = static_cast<int64_t>(tokens.size()), length = same_length(tokens);
    const int64_t d = config_.hidden_size;
    x.resize(batch * length * d);
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t i = 0; i < length; ++i) {
            const int32_t id = tokens[b][i];
            if (id < 0 || id >= config_.vocab_size)
                throw InputError("token ids", "id " + std::to_string(id) + " at position " +
                                                  std::to_string(i) + " is outside the vocabulary [0, " +
                                                  std::to_string(config_.vocab_size) + ")");
        }
        embedding_lookup(weights_.embed, tokens[b].data(), length, x.data() + b * length * d);
    }
    if (config_.embed_scale != 1.0)
        scale_inplace(x.data(), static_cast<int64_t>(x.size()), static_cast<float>(config_.embed_scale));
}

void Model::run_blocks(std::vector<float>& x, int64_t batch, int64_t length, KvCache* cache) {
    const ModelConfig& c = config_;
    const int64_t t = batch * length, d = c.hidden_size;
    const int64_t qd = c.num_heads * c.head_dim, kvd = c.num_kv_heads * c.head_dim;
    const int64_t past = cache ? cache->length_ : 0;
    const float eps = static_cast<float>(c.norm_eps);
    rope_.reserve(past + length);

    std::vector<float> h(t * d), q(t * qd), k(t * kvd), v(t * kvd), att(t * qd);
    std::vector<float> gate(t * c.ffn_size), up(t * c.ffn_size);
    for (size_t layer = 0; layer < weights_.layers.size(); ++layer) {
        const LayerWeights& w = weights_.layers[layer];
        rms_norm(x.data(), t, d, or_null(w.attn_norm_weight), or_null(w.attn_norm_bias), eps, h.data());
        linear(h.data(), t, w.q, w.q_bias, q.data());
        linear(h.data(), t, w.k, w.k_bias, k.data());
        linear(h.data(), t, w.v, w.v_bias, v.data());
        if (c.qk_norm) {
            rms_norm(q.data(), t, qd, or_null(w.q_norm_weight), or_null(w.q_norm_bias), eps, q.data());
            rms_norm(k.data(), t, kvd, or_null(w.k_norm_weight), or_null(w.k_norm_bias), eps, k.data());
        }
        for (int64_t b = 0; b < batch; ++b) {
            apply_rope(q.data() + b * length * qd, length, c.num_heads, qd, past, rope_);
            apply_rope(k.data() + b * length * kvd, length, c.num_kv_heads, kvd, past, rope_);
        }
        AttentionShape shape;
        shape.queries = length;
        shape.q_heads = c.num_heads;
        shape.kv_heads = c.num_kv_heads;
        shape.head_dim = c.head_dim;
        shape.causal = c.causal;
        shape.first_query_position = past;
        for (int64_t b = 0; b < batch; ++b) {
            const float* keys = k.data() + b * length * kvd;
            const float* values = v.data() + b * length * kvd;
            shape.keys = length;
            if (cache) {  // append this step's keys/values, then attend over all of them
                float* ck = cache->keys_[layer].data() + (b * cache->capacity_ + past) * kvd;
                float* cv = cache->values_[layer].data() + (b * cache->capacity_ + past) * kvd;
                std::memcpy(ck, keys, length * kvd * sizeof(float));
                std::memcpy(cv, values, length * kvd * sizeof(float));
                keys = cache->keys_[layer].data() + b * cache->capacity_ * kvd;
                values = cache->values_[layer].data() + b * cache->capacity_ * kvd;
                shape.keys = past + length;
            }
            attention(shape, q.data() + b * length * qd, qd, keys, values, kvd,
                      att.data() + b * length * qd, qd);
        }
        linear(att.data(), t, w.o, w.o_bias, h.data());
        add_inplace(x.data(), h.data(), t * d);

        rms_norm(x.data(), t, d, or_null(w.ffn_norm_weight), or_null(w.ffn_norm_bias), eps, h.data());
        linear(h.data(), t, w.gate, w.gate_bias, gate.data());
        linear(h.data(), t, w.up, w.up_bias, up.data());
        silu_mul(gate.data(), up.data(), t * c.ffn_size, gate.data());
        linear(gate.data(), t, w.down, w.down_bias, h.data());
        add_inplace(x.data(), h.data(), t * d);
    }
    if (cache) cache->length_ += length;
}

void Model::project_logits(std::vector<float>& hidden, int64_t n, float* logits) const {
    const int64_t d = config_.hidden_size;
    rms_norm(hidden.data(), n, d, or_null(weights_.final_norm_weight),
             or_null(weights_.final_norm_bias), static_cast<float>(config_.norm_eps), hidden.data());
    linear(hidden.data(), n, weights_.head, weights_.head_bias, logits);
    if (config_.logit_scale != 1.0)
        scale_inplace(logits, n * config_.vocab_size, static_cast<float>(config_.logit_scale));
}

void Model::forward(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                    std::vector<float>& logits_out) {
    std::vector<float> x;
    embed(tokens, x);
    const int64_t batch = static_cast<int64_t>(tokens.size());
    const int64_t length = static_cast<int64_t>(tokens[0].size());
    std::vector<int64_t> wanted = rows;
    if (wanted.empty())
        for (int64_t i = 0; i < length; ++i) wanted.push_back(i);
    for (int64_t r : wanted)
        if (r < 0 || r >= length)
            throw InputError("rows", "row " + std::to_string(r) + " is outside the sequence [0, " +
                                         std::to_string(length) + ")");

    run_blocks(x, batch, length, nullptr);

    // Only the wanted rows go through the final norm and the LM head. Dream predicts
    // position i from hidden state i-1 (position 0 from itself).
    const int64_t d = config_.hidden_size, n_rows = static_cast<int64_t>(wanted.size());
    std::vector<float> selected(batch * n_rows * d);
    for (int64_t b = 0; b < batch; ++b) {
        for (int64_t j = 0; j < n_rows; ++j) {
            const int64_t source = config_.shift_logits ? std::max<int64_t>(wanted[j] - 1, 0) : wanted[j];
            std::memcpy(selected.data() + (b * n_rows + j) * d, x.data() + (b * length + source) * d,
                        d * sizeof(float));
        }
    }
    logits_out.resize(batch * n_rows * config_.vocab_size);
    project_logits(selected, batch * n_rows, logits_out.data());
}

std::unique_ptr<KvCache> Model::new_cache(int64_t batch, int64_t max_len) const {
    if (!config_.causal)
        throw InputError(dir(), "a KV cache needs a causal model; " + config_.model_type +
                                    " attends bidirectionally (use forward)");
    if (batch <= 0 || max_len <= 0) throw InputError("KV cache", "batch and max_len must be positive");
    auto cache = std::unique_ptr<KvCache>(new KvCache());
    cache->batch_ = batch;
    cache->capacity_ = max_len;
    cache->row_floats_ = config_.num_kv_heads * config_.head_dim;
    for (int64_t l = 0; l < config_.num_layers; ++l) {
        cache->keys_.emplace_back(batch * max_len * cache->row_floats_);
        cache->values_.emplace_back(batch * max_len * cache->row_floats_);
    }
    return cache;
}

void Model::forward_cached(KvCache& cache, const std::vector<std::vector<int32_t>>& new_tokens,
                           std::vector<float>& last_row_logits) {
    if (!config_.causal)
        throw InputError(dir(), "forward_cached needs a causal model; " + config_.model_type +
                                    " attends bidirectionally");
    std::vector<float> x;
    embed(new_tokens, x);
    const int64_t batch = static_cast<int64_t>(new_tokens.size());
    const int64_t length = static_cast<int64_t>(new_tokens[0].size());
    if (batch != cache.batch_)
        throw InputError("KV cache", "made for batch " + std::to_string(cache.batch_) + ", got " +
                                         std::to_string(batch) + " sequences");
    if (cache.length_ + length > cache.capacity_)
        throw InputError("KV cache", "full: " + std::to_string(cache.length_) + " + " +
                                         std::to_string(length) + " tokens exceed max_len " +
                                         std::to_string(cache.capacity_));
    run_blocks(x, batch, length, &cache);

    const int64_t d = config_.hidden_size;
    std::vector<float> last(batch * d);
    for (int64_t b = 0; b < batch; ++b)
        std::memcpy(last.data() + b * d, x.data() + (b * length + length - 1) * d, d * sizeof(float));
    last_row_logits.resize(batch * config_.vocab_size);
    project_logits(last, batch, last_row_logits.data());
}

}  // namespace remask
