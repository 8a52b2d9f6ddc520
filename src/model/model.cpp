#include "model/model.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "core/grown_buffer.h"
#include "core/log.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/bf16_panels.h"
#include "model/compute_calibration.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/onednn.h"
#include "kernels/cpu/vector_kernels.h"
#include "kernels/cpu/norm.h"

namespace remask {
namespace {

// Rows of a dense MLP computed per pass: its [rows, 3·ffn] working set is the largest of a
// forward (418 MiB for 4 × 1,792 tokens of the Qwen2.5-0.5B shape, 1 GiB for LLaDA-8B's),
// and 512 rows keep every product efficient.
constexpr int64_t kMlpRowsPerPass = 512;

const float* or_null(const std::vector<float>& v) { return v.empty() ? nullptr : v.data(); }

// MemAvailable from /proc/meminfo, or 0 when unknown.
int64_t available_memory_bytes() {
    std::ifstream in("/proc/meminfo");
    std::string key;
    int64_t kib = 0;
    std::string unit;
    while (in >> key >> kib >> unit)
        if (key == "MemAvailable:") return kib * 1024;
    return 0;
}

ComputeType choose_compute_type(const TransformerWeights& weights, const ModelConfig& config,
                                const LoadOptions& options, ComputeCalibration& calibration) {
    if (options.quant == "int8") return ComputeType::int8;
    if (options.quant != "none")
        throw InputError("quant", "'" + options.quant + "' is not one of none, int8");
    if (options.compute == "f32") return ComputeType::f32;
    if (options.compute == "bf16") {
        if (!compute_type_supported(ComputeType::bf16))
            throw InputError("compute", "bf16 matrix products are not supported on this CPU (" +
                                            isa_name(active_isa()) + "); use f32 or auto");
        return ComputeType::bf16;
    }
    if (options.compute != "auto")
        throw InputError("compute", "'" + options.compute + "' is not one of auto, f32, bf16");
    // Quantized GGUF blocks are dequantized into the compute type: bf16 is a candidate as for
    // a bf16 checkpoint (the other matrices being bf16 or absent).
    const bool all_bf16 = weights.dtypes == std::vector<DType>{DType::bf16} ||
                          (!weights.block_types.empty() &&
                           (weights.dtypes.empty() || weights.dtypes == std::vector<DType>{DType::bf16}));
    // oneDNN also runs bf16 on AVX-512 without BF16 instructions, by emulation: slower and no
    // more exact than float32, so bf16 is a candidate only with native support, and then
    // only if it measures faster here.
    const bool native_bf16 = active_isa() == Isa::avx512_bf16 && compute_type_supported(ComputeType::bf16);
    if (!all_bf16 || !native_bf16) return ComputeType::f32;
    // Float32 compute packs a bf16 checkpoint at twice its size: where that would not fit
    // in the memory available, bf16 is the only candidate.
    const int64_t available = available_memory_bytes();
    if (available > 0 && 2 * weights.weight_bytes > available * 3 / 4) {
        log_info("compute: bf16 (float32 weights would need " + std::to_string(2 * weights.weight_bytes >> 20) +
                 " MiB of the " + std::to_string(available >> 20) + " MiB available)");
        return ComputeType::bf16;
    }
    calibration = calibrated_compute(config);
    return calibration.choice;
}

// Multiply-adds of one token's MLP in one layer: gate, up, down; a mixture of experts runs
// its router and experts_per_token experts (the active parameters).
double mlp_macs_per_token(const ModelConfig& c) {
    const double d = double(c.hidden_size), f = double(c.ffn_size);
    if (c.num_experts == 0) return 3 * d * f;
    return d * double(c.num_experts) + double(c.experts_per_token) * 3 * d * f;
}

}  // namespace

void Model::spread_group_logits(const std::vector<float>& per_group, const std::vector<int64_t>& group_of,
                                int64_t groups, std::vector<float>& out) {
    const size_t block = per_group.size() / static_cast<size_t>(groups);
    out.resize(block * group_of.size());
    for (size_t b = 0; b < group_of.size(); ++b)
        std::memcpy(out.data() + b * block, per_group.data() + static_cast<size_t>(group_of[b]) * block,
                    block * sizeof(float));
}

int64_t Model::same_length(const std::vector<std::vector<int32_t>>& tokens) {
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

Model::Model(Checkpoint checkpoint, ModelConfig config, const LoadOptions& options)
    : checkpoint_(std::move(checkpoint)), config_(std::move(config)) {
    weights_ = load_transformer_weights(checkpoint_, config_);
    compute_ = choose_compute_type(weights_, config_, options, calibration_);
    direct_products_ = options.compute == "auto" && options.quant == "none" && !options.dequantize_blocks_at_load;
    pack_weights(!options.dequantize_blocks_at_load && compute_ != ComputeType::int8);
    rope_ = RopeTable(rope_frequencies(config_), 256);
}

std::unique_ptr<Model> Model::load(const std::string& dir, const LoadOptions& options) {
    Checkpoint checkpoint = Checkpoint::open(dir);
    ModelConfig config = parse_model_config(checkpoint.config(), checkpoint.config_path());
    return std::unique_ptr<Model>(new Model(std::move(checkpoint), std::move(config), options));
}

void Model::pack_weights(bool keep_blocks) {
    // Each packed copy replaces its memory-mapped pages (dropped chunk by chunk while
    // packing), so the process holds one copy of the weights. A tied embedding is dropped
    // too: lookups fault its pages back in (a whole large folio each on some file systems,
    // ~0.7 MiB a row on ext4), except where the head's panels serve them (embed()).
    // A BF16 GGUF file's matrices keep their size in panels (float16 or bf16, chosen by
    // BlockLinear::make; f16_panels.h, bf16_panels.h) where the CPU has AVX-512: half the
    // memory of packing them as f32. Elsewhere the f32 packing stays the faster path.
    const bool gguf_bf16_panels = keep_blocks && direct_products_ && checkpoint_.is_gguf();
    auto pack = [&](const std::vector<Weight>& parts, const std::vector<std::vector<float>>& biases) {
        const bool blocks = std::any_of(parts.begin(), parts.end(), [](const Weight& w) { return w.blocks; });
        if (blocks && keep_blocks) return PackedLinear::keep_blocks(parts, biases, compute_, direct_products_);
        if (gguf_bf16_panels && Bf16PanelProduct::usable(parts))
            return PackedLinear::keep_blocks(parts, biases, compute_, /*direct_products=*/true);
        return PackedLinear::pack(parts, biases, compute_, /*release_source=*/true);
    };
    for (const LayerWeights& w : weights_.layers) {
        PackedLayer layer;
        layer.qkv = pack({w.q, w.k, w.v}, {w.q_bias, w.k_bias, w.v_bias});
        layer.o = pack({w.o}, {w.o_bias});
        if (config_.num_experts > 0) {
            layer.moe = MoeMlp::pack(w, config_, compute_, /*release_source=*/true,
                                     [&](const std::vector<Weight>& parts) { return pack(parts, {}); });
        } else {
            layer.gate_up = pack({w.gate, w.up}, {w.gate_bias, w.up_bias});
            layer.down = pack({w.down}, {w.down_bias});
        }
        packed_.push_back(std::move(layer));
    }
    head_ = pack({weights_.head}, {weights_.head_bias});
}

int64_t Model::packed_bytes() const {
    int64_t total = head_.bytes();
    for (const PackedLayer& l : packed_) {
        total += l.qkv.bytes() + l.o.bytes() + l.moe.bytes();
        if (!l.gate_up.empty()) total += l.gate_up.bytes() + l.down.bytes();
    }
    return total;
}

std::string Model::products() const {
    const std::string layers = packed_.empty() ? head_.kernel_name() : packed_[0].qkv.kernel_name();
    const std::string head = head_.kernel_name();
    return head == layers ? layers : layers + "; LM head " + head;
}

std::string Model::weight_dtype() const {
    std::string out;
    for (DType t : weights_.dtypes) {
        if (!out.empty()) out += '+';
        out += dtype_name(t);
    }
    for (const std::string& t : weights_.block_types) out += (out.empty() ? "" : "+") + t;
    return out;
}

double Model::forward_flops(int64_t batch, int64_t length, int64_t rows) const {
    const ModelConfig& c = config_;
    const double qd = double(c.num_heads) * c.head_dim, kvd = double(c.num_kv_heads) * c.head_dim;
    const double d = double(c.hidden_size);
    const double per_token = 2.0 * c.num_layers * (d * (qd + 2 * kvd) + qd * d + mlp_macs_per_token(c));
    const double attention = 4.0 * c.num_layers * qd * double(length) * double(length);  // QKᵀ and PV
    return batch * (length * per_token + attention + 2.0 * rows * d * c.vocab_size);
}

double Model::partial_forward_flops(int64_t batch, int64_t length, int64_t active, int64_t rows) const {
    const ModelConfig& c = config_;
    const double qd = double(c.num_heads) * c.head_dim, kvd = double(c.num_kv_heads) * c.head_dim;
    const double d = double(c.hidden_size);
    const double per_token = 2.0 * c.num_layers * (d * (qd + 2 * kvd) + qd * d + mlp_macs_per_token(c));
    const double attention = 4.0 * c.num_layers * qd * double(active) * double(length);
    return batch * (active * per_token + attention + 2.0 * rows * d * c.vocab_size);
}

int64_t Model::activation_bytes(int64_t tokens, int64_t rows, bool dual_kv_cache) const {
    const ModelConfig& c = config_;
    // x, h, qkv, attention output; gate|up, activation and the converted copy of the down
    // product's input for one pass of MLP rows; one head's scores; the selected rows and
    // their logits.
    const int64_t per_token = 2 * c.hidden_size + 2 * c.num_heads * c.head_dim + 2 * c.num_kv_heads * c.head_dim;
    const int64_t mlp_rows = c.num_experts == 0 ? std::min(tokens, kMlpRowsPerPass) : 0;
    // A mixture of experts holds each row top-k times: gathered, gate|up, activation, output.
    const int64_t moe_per_token =
        c.num_experts == 0 ? 0 : c.experts_per_token * (2 * c.hidden_size + 3 * c.ffn_size) + c.num_experts;
    return 4 * (tokens * (per_token + moe_per_token) + tokens * tokens + mlp_rows * 4 * c.ffn_size +
                rows * (c.hidden_size + c.vocab_size)) +
           (dual_kv_cache ? dual_kv_cache_bytes(tokens) : 0);
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
        // A tied head kept in bf16 panels holds the embedding too: reading rows there keeps
        // the dropped file pages dropped (a fault maps a whole large folio, ~0.7 MiB a row).
        if (config_.tied_head && head_.row_to_f32(tokens[b][0], x.data() + b * length * d))
            for (int64_t i = 1; i < length; ++i) head_.row_to_f32(tokens[b][i], x.data() + (b * length + i) * d);
        else
            embedding_lookup(weights_.embed, tokens[b].data(), length, x.data() + b * length * d);
    }
    if (config_.embed_scale != 1.0)
        scale_inplace(x.data(), static_cast<int64_t>(x.size()), static_cast<float>(config_.embed_scale));
}

void Model::run_blocks(std::vector<float>& x, int64_t batch, int64_t length, const BlockContext& context) {
    KvCache* cache = context.causal_cache;
    const ModelConfig& c = config_;
    const int64_t t = batch * length, d = c.hidden_size, f = c.ffn_size;
    const int64_t qd = c.num_heads * c.head_dim, kvd = c.num_kv_heads * c.head_dim;
    const int64_t qkvd = qd + 2 * kvd;  // one row of the stacked q|k|v product
    const int64_t past = cache ? cache->length_ : 0;
    const float eps = static_cast<float>(c.norm_eps);
    const VectorKernels& kernels = vector_kernels();
    rope_.reserve(context.dual_cache ? context.dual_cache->length_ : past + length);

    float* h = grown_buffer(work_.h, t * d);
    float* qkv = grown_buffer(work_.qkv, t * qkvd);
    float* att = grown_buffer(work_.att, t * qd);
    const bool dense_mlp = c.num_experts == 0;
    const int64_t mlp_rows = std::min(t, kMlpRowsPerPass);
    float* gate_up = dense_mlp ? grown_buffer(work_.gate_up, mlp_rows * 2 * f) : nullptr;
    float* act = dense_mlp ? grown_buffer(work_.act, mlp_rows * f) : nullptr;
    ForwardTimer timer(profile_);
    for (size_t layer = 0; layer < weights_.layers.size(); ++layer) {
        const LayerWeights& w = weights_.layers[layer];
        const PackedLayer& p = packed_[layer];
        rms_norm(x.data(), t, d, or_null(w.attn_norm_weight), or_null(w.attn_norm_bias), eps, h);
        timer.mark(ForwardProfile::norms);
        p.qkv.apply(h, t, qkv);
        timer.mark(ForwardProfile::qkv);
        float* q = qkv;
        float* k = qkv + qd;
        float* v = qkv + qd + kvd;
        if (c.qk_norm && c.qk_norm_per_head) {  // LLaDA-MoE: each head by itself, weights [head_dim]
            const int64_t hd = c.head_dim;
#pragma omp parallel for schedule(static)
            for (int64_t i = 0; i < t; ++i) {
                for (int64_t j = 0; j < c.num_heads; ++j)
                    kernels.rms_norm_row(q + i * qkvd + j * hd, hd, or_null(w.q_norm_weight),
                                         or_null(w.q_norm_bias), eps, q + i * qkvd + j * hd);
                for (int64_t j = 0; j < c.num_kv_heads; ++j)
                    kernels.rms_norm_row(k + i * qkvd + j * hd, hd, or_null(w.k_norm_weight),
                                         or_null(w.k_norm_bias), eps, k + i * qkvd + j * hd);
            }
        } else if (c.qk_norm) {
#pragma omp parallel for schedule(static)
            for (int64_t i = 0; i < t; ++i) {
                kernels.rms_norm_row(q + i * qkvd, qd, or_null(w.q_norm_weight), or_null(w.q_norm_bias), eps,
                                     q + i * qkvd);
                kernels.rms_norm_row(k + i * qkvd, kvd, or_null(w.k_norm_weight), or_null(w.k_norm_bias), eps,
                                     k + i * qkvd);
            }
        }
        for (int64_t b = 0; b < batch; ++b) {
            if (context.positions) {
                apply_rope_at(q + b * length * qkvd, length, c.num_heads, qkvd, context.positions, rope_);
                apply_rope_at(k + b * length * qkvd, length, c.num_kv_heads, qkvd, context.positions, rope_);
            } else {
                apply_rope(q + b * length * qkvd, length, c.num_heads, qkvd, past, rope_);
                apply_rope(k + b * length * qkvd, length, c.num_kv_heads, qkvd, past, rope_);
            }
        }
        timer.mark(ForwardProfile::rope);
        AttentionShape shape;
        shape.queries = length;
        shape.q_heads = c.num_heads;
        shape.kv_heads = c.num_kv_heads;
        shape.head_dim = c.head_dim;
        shape.causal = c.causal;
        shape.first_query_position = past;
        for (int64_t b = 0; b < batch; ++b) {
            if (context.dual_cache) {
                dual_cache_attention(context, layer, b, length, q + b * length * qkvd, k + b * length * qkvd,
                                     v + b * length * qkvd, qkvd, att + b * length * qd, timer);
                continue;
            }
            const float* keys = k + b * length * qkvd;
            const float* values = v + b * length * qkvd;
            int64_t kv_stride = qkvd;
            shape.keys = length;
            if (cache) {  // append this step's keys/values, then attend over all of them
                float* ck = cache->keys_[layer].data() + b * cache->capacity_ * kvd;
                float* cv = cache->values_[layer].data() + b * cache->capacity_ * kvd;
                for (int64_t i = 0; i < length; ++i) {
                    std::memcpy(ck + (past + i) * kvd, keys + i * qkvd, kvd * sizeof(float));
                    std::memcpy(cv + (past + i) * kvd, values + i * qkvd, kvd * sizeof(float));
                }
                keys = ck;
                values = cv;
                kv_stride = kvd;
                shape.keys = past + length;
                timer.mark(ForwardProfile::cache_writes);
            }
            attention(shape, q + b * length * qkvd, qkvd, keys, values, kv_stride, att + b * length * qd, qd);
            timer.mark(ForwardProfile::attention);
        }
        p.o.apply(att, t, x.data(), /*accumulate=*/true);
        timer.mark(ForwardProfile::o_proj);

        rms_norm(x.data(), t, d, or_null(w.ffn_norm_weight), or_null(w.ffn_norm_bias), eps, h);
        timer.mark(ForwardProfile::norms);
        if (!p.moe.empty()) {  // rows are independent here, so the dual cache's partial rows need nothing more
            p.moe.apply(h, t, x.data(), work_.moe);
            timer.mark(ForwardProfile::mlp_gate_up);
            continue;
        }
        for (int64_t first = 0; first < t; first += mlp_rows) {  // rows are independent here
            const int64_t n = std::min(mlp_rows, t - first);
            p.gate_up.apply(h + first * d, n, gate_up);
            timer.mark(ForwardProfile::mlp_gate_up);
#pragma omp parallel for schedule(static)
            for (int64_t i = 0; i < n; ++i)
                kernels.silu_mul(gate_up + i * 2 * f, gate_up + i * 2 * f + f, f, act + i * f);
            timer.mark(ForwardProfile::mlp_act);
            p.down.apply(act, n, x.data() + first * d, /*accumulate=*/true);
            timer.mark(ForwardProfile::mlp_down);
        }
    }
    if (cache) cache->length_ += length;
}

void Model::project_logits(std::vector<float>& hidden, int64_t n, float* logits) const {
    const int64_t d = config_.hidden_size;
    ForwardTimer timer(profile_);
    rms_norm(hidden.data(), n, d, or_null(weights_.final_norm_weight),
             or_null(weights_.final_norm_bias), static_cast<float>(config_.norm_eps), hidden.data());
    timer.mark(ForwardProfile::norms);
    head_.apply(hidden.data(), n, logits);
    timer.mark(ForwardProfile::lm_head);
    if (config_.logit_scale != 1.0)
        scale_inplace(logits, n * config_.vocab_size, static_cast<float>(config_.logit_scale));
}

std::vector<int64_t> Model::checked_rows(const std::vector<int64_t>& rows, int64_t length) const {
    std::vector<int64_t> wanted = rows;
    if (wanted.empty())
        for (int64_t i = 0; i < length; ++i) wanted.push_back(i);
    for (int64_t r : wanted)
        if (r < 0 || r >= length)
            throw InputError("rows", "row " + std::to_string(r) + " is outside the sequence [0, " +
                                         std::to_string(length) + ")");
    return wanted;
}

void Model::gather_logits(const std::vector<float>& x, int64_t batch, int64_t x_rows,
                          const std::vector<int64_t>& sources, std::vector<float>& logits_out) const {
    const int64_t d = config_.hidden_size, n_rows = static_cast<int64_t>(sources.size());
    std::vector<float> selected(batch * n_rows * d);
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t j = 0; j < n_rows; ++j)
            std::memcpy(selected.data() + (b * n_rows + j) * d, x.data() + (b * x_rows + sources[j]) * d,
                        d * sizeof(float));
    logits_out.resize(batch * n_rows * config_.vocab_size);
    project_logits(selected, batch * n_rows, logits_out.data());
}

Model::IdenticalGroups Model::identical_groups(const std::vector<std::vector<int32_t>>& tokens) const {
    IdenticalGroups groups;
    if (!share_identical_ || tokens.size() < 2) return groups;
    for (size_t b = 0; b < tokens.size(); ++b) {
        size_t g = 0;
        while (g < groups.first.size() && tokens[static_cast<size_t>(groups.first[g])] != tokens[b]) ++g;
        if (g == groups.first.size()) groups.first.push_back(static_cast<int64_t>(b));
        groups.group_of.push_back(static_cast<int64_t>(g));
    }
    if (groups.first.size() == tokens.size()) return IdenticalGroups{};
    return groups;
}

void Model::forward(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                    std::vector<float>& logits_out) {
    same_length(tokens);
    const IdenticalGroups groups = identical_groups(tokens);
    if (!groups.first.empty()) {  // each distinct sequence once (it has no repeats then)
        std::vector<std::vector<int32_t>> distinct;
        for (int64_t b : groups.first) distinct.push_back(tokens[static_cast<size_t>(b)]);
        std::vector<float> per_group;
        forward(distinct, rows, per_group);
        spread_group_logits(per_group, groups.group_of, static_cast<int64_t>(groups.first.size()), logits_out);
        return;
    }
    use_engine_threads();
    std::vector<float> x;
    embed(tokens, x);
    const int64_t batch = static_cast<int64_t>(tokens.size());
    const int64_t length = static_cast<int64_t>(tokens[0].size());
    std::vector<int64_t> sources = checked_rows(rows, length);

    run_blocks(x, batch, length, BlockContext{});

    // Only the wanted rows go through the final norm and the LM head. Dream predicts
    // position i from hidden state i-1 (position 0 from itself).
    if (config_.shift_logits)
        for (int64_t& r : sources) r = std::max<int64_t>(r - 1, 0);
    gather_logits(x, batch, length, sources, logits_out);
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
    use_engine_threads();
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
    BlockContext context;
    context.causal_cache = &cache;
    run_blocks(x, batch, length, context);

    const int64_t d = config_.hidden_size;
    std::vector<float> last(batch * d);
    for (int64_t b = 0; b < batch; ++b)
        std::memcpy(last.data() + b * d, x.data() + (b * length + length - 1) * d, d * sizeof(float));
    last_row_logits.resize(batch * config_.vocab_size);
    project_logits(last, batch, last_row_logits.data());
}

const char* ForwardProfile::name(int op) {
    static const char* const names[count] = {"norms",       "qkv",     "rope",     "cache_writes",
                                              "attention",   "o_proj",  "mlp_gate_up", "mlp_act",
                                              "mlp_down",    "lm_head"};
    return op >= 0 && op < count ? names[op] : "?";
}

}  // namespace remask
