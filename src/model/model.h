#pragma once
// remask's transformer engine: one config-driven model for LLaDA, Dream, Qwen2 and LLaMA
// checkpoints (Hugging Face folders, memory-mapped safetensors).
//
//   auto model = remask::Model::load("models/Dream-v0-Instruct-7B");
//   std::vector<float> logits;                      // [batch, rows, vocab]
//   model->forward({{151644, 872, 198, 151666}}, /*rows=*/{3}, logits);
//
//   // causal models (Qwen2, LLaMA): prefill, then one token at a time
//   auto cache = model->new_cache(/*batch=*/1, /*max_len=*/512);
//   model->forward_cached(*cache, {{1, 2, 3}}, last);   // last: [batch, vocab]
//   model->forward_cached(*cache, {{next}}, last);
//
// Everything family-specific (bidirectional attention, Dream's logit shift, biases, tied
// head) comes from config.json through ModelConfig; callers never special-case a family.
// A Model is not safe to call from two threads at once; the math runs on
// ThreadPool::global().

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernels/cpu/linear.h"
#include "kernels/cpu/rope.h"
#include "model/checkpoint.h"
#include "model/compute_calibration.h"
#include "model/model_config.h"
#include "model/moe_mlp.h"
#include "model/transformer_weights.h"

namespace remask {

struct LoadOptions {
    // "none": matrices computed in their stored type (bf16 checkpoints in bf16 where the CPU
    // has AVX-512 BF16, float32 otherwise); "int8": weights quantized per output channel
    // at load, activations per row at run time.
    std::string quant = "none";
    // The type matrices are computed in when quant is "none": "f32", "bf16" (bf16
    // activations and weights, float32 accumulation; InputError where the CPU has no bf16
    // kernel), or "auto": the faster of the two on this machine by a short calibration at
    // the model's shapes (compute_calibration.h), bf16 checkpoints only (bf16 without a
    // probe where float32 weights would not fit in 3/4 of the available memory); float32
    // checkpoints stay float32 (exact).
    std::string compute = "auto";
    // GGUF quantized weights (Q8_0, Q4_K, ...) stay in their blocks (memory ≈ the file): with
    // compute "auto" on a CPU with AVX-512 VNNI they are multiplied in int8 on the blocks, with
    // the input quantized per 32 values as llama.cpp does (int8_blocks.h); otherwise (or with
    // compute "f32"/"bf16") dequantized a tile at a time into the compute type at each product.
    // true: the reference instead, every matrix dequantized into the compute type at load.
    bool dequantize_blocks_at_load = false;
};

// Keys and values of every layer for a batch of causal sequences that grow together.
class KvCache {
public:
    int64_t batch() const { return batch_; }
    int64_t capacity() const { return capacity_; }
    int64_t length() const { return length_; }  // tokens already cached per sequence
    void clear() { length_ = 0; }

private:
    friend class Model;
    int64_t batch_ = 0, capacity_ = 0, length_ = 0;
    int64_t row_floats_ = 0;  // kv_heads * head_dim
    // Per layer: [batch, capacity, kv_heads * head_dim].
    std::vector<std::vector<float>> keys_, values_;
};

// The dual key/value cache of span infill (Fast-dLLM's "dual cache"): every layer's keys
// and values (after RoPE) of every position of a batch of bidirectional sequences, written by
// a full forward (forward_refresh) and read by the partial forwards that follow it, which
// recompute only the active rows and overwrite those rows' entries. Stored in bf16 when the
// model computes in bf16, else float32. One per batch of candidates; see forward_partial.
class DualKvCache {
public:
    int64_t batch() const { return batch_; }
    int64_t length() const { return length_; }
    bool empty() const { return length_ == 0; }
    bool stores_bf16() const { return bf16_; }
    int64_t bytes() const;
    void clear();  // frees the storage

private:
    friend class Model;
    int64_t batch_ = 0, length_ = 0;
    int64_t row_floats_ = 0;  // kv_heads * head_dim
    bool bf16_ = false;
    // Per layer: [batch, length, row_floats], one of the two kinds.
    std::vector<std::vector<float>> keys_, values_;
    std::vector<std::vector<uint16_t>> keys_bf16_, values_bf16_;
};

// Seconds a model's forwards spent per kind of operation while attached (Model::set_profile;
// bench/bench_kv_cache prints them). Every op is synchronous, so the main thread's clock
// between ops is each op's time.
struct ForwardProfile {
    enum Op { norms, qkv, rope, cache_writes, attention, o_proj, mlp_gate_up, mlp_act, mlp_down, lm_head, count };
    static const char* name(int op);
    double seconds[count] = {};
    int64_t forwards = 0;
};

// Adds the time since the previous mark to one op of a ForwardProfile; does nothing without one.
class ForwardTimer {
public:
    explicit ForwardTimer(ForwardProfile* profile) : profile_(profile) {
        if (profile_) last_ = std::chrono::steady_clock::now();
    }
    void mark(ForwardProfile::Op op) {
        if (!profile_) return;
        const auto now = std::chrono::steady_clock::now();
        profile_->seconds[op] += std::chrono::duration<double>(now - last_).count();
        last_ = now;
    }

private:
    ForwardProfile* profile_;
    std::chrono::steady_clock::time_point last_;
};

class Model {
public:
    // Opens and validates the folder (config.json, safetensors headers, every tensor's
    // presence and shape). Throws InputError naming the file, key or tensor at fault.
    static std::unique_ptr<Model> load(const std::string& dir, const LoadOptions& options = {});

    const ModelConfig& config() const { return config_; }
    const std::string& dir() const { return checkpoint_.dir(); }
    int64_t vocab_size() const { return config_.vocab_size; }
    int64_t parameter_count() const { return weights_.parameter_count; }
    // Those one token computes with (a mixture of experts: its top-k experts only).
    int64_t active_parameter_count() const { return weights_.active_parameter_count; }
    int64_t weight_bytes() const { return weights_.weight_bytes; }
    std::string weight_dtype() const;  // "bf16", or "bf16+f32" when mixed
    ComputeType compute_type() const { return compute_; }
    // The measurement behind compute = "auto" (measured = false when there was no choice to
    // make: int8, compute forced, a float32 checkpoint or no native bf16).
    const ComputeCalibration& compute_calibration() const { return calibration_; }
    int64_t packed_bytes() const;      // the packed matrices the engine computes with
    // How the matrix products run: the first layer's q|k|v kernel (PackedLinear::kernel_name),
    // and the LM head's after "; LM head " where it differs.
    std::string products() const;
    // Multiply-adds ×2 of forward(): batch sequences of `length`, logits for `rows` rows each
    // (matrix products and attention; norms and the softmax are not counted).
    double forward_flops(int64_t batch, int64_t length, int64_t rows) const;
    // The same for forward_partial(): `active` rows per sequence attending to `length`.
    double partial_forward_flops(int64_t batch, int64_t length, int64_t active, int64_t rows) const;
    // Working memory of one forward over `tokens` positions in total (estimate); with
    // dual_kv_cache, plus the DualKvCache holding those positions' keys and values.
    int64_t activation_bytes(int64_t tokens, int64_t rows, bool dual_kv_cache = false) const;
    // Bytes of a DualKvCache over `tokens` positions in total (batch x length).
    int64_t dual_kv_cache_bytes(int64_t tokens) const;

    // tokens: [batch][length], every sequence the same length, ids in [0, vocab).
    // rows:   positions that need logits, each in [0, length); empty = all positions.
    // logits_out: resized to [batch, rows, vocab] float32 (Dream's shift applied).
    // Causal models attend causally, bidirectional ones fully. InputError on bad ids/rows.
    void forward(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                 std::vector<float>& logits_out);

    // Bidirectional models only (InputError otherwise): forward() that also stores every
    // position's keys and values in `cache` (resized to this batch and length). The logits
    // are exactly forward()'s.
    void forward_refresh(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                         std::vector<float>& logits_out, DualKvCache& cache);
    // A forward over the `active` positions only (ascending, the same for every sequence),
    // each attending in every layer to the cached keys/values of the other positions and to
    // the fresh ones of the active rows, whose entries in the cache are then replaced.
    // tokens: [batch][length] as at the refresh except at active positions (only those are
    // read). rows: positions that need logits (as forward()); the hidden state each is read
    // from (Dream: the one before) is computed too. Right after forward_refresh on the same
    // tokens, the logits equal forward()'s to float rounding (bf16 rounding of the cache).
    // Cost: the matrix products of |active ∪ sources| rows instead of length.
    void forward_partial(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& active,
                         const std::vector<int64_t>& rows, std::vector<float>& logits_out, DualKvCache& cache);

    // Takes a finished fill's cache storage to reuse at the next forward_refresh: memory
    // the process has touched before is several times cheaper than fresh pages (on a VM,
    // 1.9 GB of new pages took ~13 s here), and the optimizer fills one proposal after
    // another. The cache is left empty.
    void keep_dual_kv_storage(DualKvCache& cache);

    // forward() and forward_refresh() compute each distinct sequence of a batch once and copy
    // its logits (and cached keys/values) to the identical ones: the K candidates of a fill
    // start as copies of one sequence. On by default; bench/ turns it off to time K
    // distinct sequences.
    void set_share_identical_sequences(bool on) { share_identical_ = on; }

    // Accumulates the time of the forwards that follow into *profile (nullptr: stop).
    void set_profile(ForwardProfile* profile) { profile_ = profile; }

    // Causal models only (InputError otherwise).
    std::unique_ptr<KvCache> new_cache(int64_t batch, int64_t max_len) const;
    // Appends new_tokens [batch][n] (n >= 1, same for all) after the cached ones and
    // writes the logits of each sequence's last new token: [batch, vocab].
    void forward_cached(KvCache& cache, const std::vector<std::vector<int32_t>>& new_tokens,
                        std::vector<float>& last_row_logits);

private:
    Model(Checkpoint checkpoint, ModelConfig config, const LoadOptions& options);

    // Each layer's matrices packed for compute_ (q/k/v and gate/up stacked into one product).
    struct PackedLayer {
        PackedLinear qkv, o, gate_up, down;
        MoeMlp moe;  // instead of gate_up/down when the config has experts
    };
    // Scratch reused across forwards (grown, never shrunk).
    struct Workspace {
        std::vector<float> h, qkv, att, gate_up, act;
        std::vector<float> full_keys, full_values;  // a partial forward's widened bf16 cache rows
        MoeScratch moe;
    };
    // Where attention finds keys and values besides the rows being computed.
    struct BlockContext {
        KvCache* causal_cache = nullptr;   // append, then attend to everything cached
        DualKvCache* dual_cache = nullptr;
        bool dual_refresh = false;         // store every row's keys/values (rows = all positions)
        const int64_t* positions = nullptr;  // partial: the computed rows' positions [length]
        const int64_t* cache_entries = nullptr;  // refresh: the dual cache's entry of each sequence run
    };
    // A batch's sequences grouped by equal tokens: first[g] = the first sequence of group g,
    // group_of[b] = b's group. Empty when sharing is off or every sequence is distinct.
    struct IdenticalGroups {
        std::vector<int64_t> first, group_of;
    };
    IdenticalGroups identical_groups(const std::vector<std::vector<int32_t>>& tokens) const;
    // out[b] = per_group[group_of[b]], each a block of rows x vocab logits.
    static void spread_group_logits(const std::vector<float>& per_group, const std::vector<int64_t>& group_of,
                                    int64_t groups, std::vector<float>& out);
    // The batch's common length; InputError naming the sequence that differs.
    static int64_t same_length(const std::vector<std::vector<int32_t>>& tokens);
    void pack_weights(bool keep_blocks);

    // tokens -> x [batch*length, d]; validates shapes and ids.
    void embed(const std::vector<std::vector<int32_t>>& tokens, std::vector<float>& x) const;
    // Runs every block over x [batch*length, d] in place; with a cache, positions start at
    // cache->length() and keys/values are appended to it.
    void run_blocks(std::vector<float>& x, int64_t batch, int64_t length, const BlockContext& context);
    // Attention of one sequence's computed rows against a dual cache (refresh: store them).
    void dual_cache_attention(const BlockContext& context, size_t layer, int64_t b, int64_t length, float* q,
                              const float* k, const float* v, int64_t qkv_stride, float* out,
                              ForwardTimer& timer);
    // Rows `sources` of x [batch, x_rows, d] -> logits [batch, sources, vocab].
    void gather_logits(const std::vector<float>& x, int64_t batch, int64_t x_rows,
                       const std::vector<int64_t>& sources, std::vector<float>& logits_out) const;
    std::vector<int64_t> checked_rows(const std::vector<int64_t>& rows, int64_t length) const;
    void require_bidirectional(const char* what) const;
    // hidden [n, d] (overwritten) -> logits [n, vocab]: final norm, LM head, logit scale.
    void project_logits(std::vector<float>& hidden, int64_t n, float* logits) const;

    Checkpoint checkpoint_;
    ModelConfig config_;
    TransformerWeights weights_;
    ComputeType compute_ = ComputeType::f32;
    ComputeCalibration calibration_;
    // GGUF matrices multiplied in their own format (compute = "auto"): quantized ones in int8
    // on their blocks as llama.cpp does (a VNNI CPU; int8_blocks.h), a BF16 file's kept in bf16
    // panels (an AVX-512 CPU; bf16_panels.h), rather than packed or tiled into compute_.
    bool direct_products_ = false;
    DualKvCache spare_kv_;  // storage kept between fills (keep_dual_kv_storage)
    std::vector<PackedLayer> packed_;
    PackedLinear head_;
    Workspace work_;
    RopeTable rope_;
    ForwardProfile* profile_ = nullptr;
    bool share_identical_ = true;
};

}  // namespace remask
