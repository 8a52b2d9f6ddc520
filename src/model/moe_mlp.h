#pragma once
// The mixture-of-experts MLP of LLaDA-MoE (and any OLMoE-style layer): a router (linear
// d -> experts, softmax over all experts), each row's top_k experts, and
//   x += Σ_chosen p_e · down_e(silu(gate_e·h) ⊙ up_e·h).
//
//   MoeMlp moe = MoeMlp::pack(layer_weights, config, ComputeType::bf16);
//   moe.apply(h, rows, x, scratch);   // h, x: [rows, d]; x accumulates
//
// apply() computes one matrix product per expert per call, over the rows routed to that
// expert (gathered, then scattered back weighted); experts that receive no rows cost
// nothing. moe_mlp_reference() is the simple row-by-row version the tests compare it with.

#include <cstdint>
#include <functional>
#include <vector>

#include "kernels/cpu/dtype.h"
#include "kernels/cpu/linear.h"
#include "model/model_config.h"
#include "model/transformer_weights.h"

namespace remask {

struct ExpertChoice {
    int32_t expert = 0;
    float weight = 0;  // the softmax probability (renormalised over the chosen when asked)
};

// router_logits [rows, experts] -> out [rows, top_k]: each row's top_k experts by softmax
// probability, highest first. Equal probabilities: the lower expert index first (a stable
// descending sort; torch.topk and ggml's argsort leave the order of ties unspecified).
// normalize: weights divided by their sum over the chosen experts (norm_topk_prob).
void route_experts(const float* router_logits, int64_t rows, int64_t experts, int64_t top_k,
                   bool normalize, ExpertChoice* out);

// Buffers reused between calls (grown, never shrunk).
struct MoeScratch {
    std::vector<float> logits, gathered, gate_up, act, out;
    std::vector<ExpertChoice> choices;
    std::vector<int64_t> slot_of;          // [rows * top_k]: where (row, k) sits in expert order
    std::vector<int64_t> rows_per_expert;  // of the last apply(): [experts]
};

class MoeMlp {
  public:
    MoeMlp() = default;
    // The router is packed in float32 whatever `type` (routing decisions should not move
    // with the compute type; llama.cpp's converter keeps it F32 too); experts in `type`.
    // pack_expert: how each expert's matrices are held — the model passes the rule its
    // dense layers use (Model::pack_weights: GGUF blocks kept with int8 products, a BF16
    // file's panels, ...); empty: PackedLinear::pack in `type`.
    using MatrixPacker = std::function<PackedLinear(const std::vector<Weight>& parts)>;
    static MoeMlp pack(const LayerWeights& weights, const ModelConfig& config, ComputeType type,
                       bool release_source = false, const MatrixPacker& pack_expert = {});

    bool empty() const { return experts_ == 0; }
    int64_t bytes() const;
    // x [rows, d] += the MoE output for h [rows, d].
    void apply(const float* h, int64_t rows, float* x, MoeScratch& scratch) const;

  private:
    PackedLinear router_;
    std::vector<PackedLinear> gate_up_, down_;  // per expert: [2 * ffn, d], [d, ffn]
    int64_t experts_ = 0, top_k_ = 0, ffn_ = 0, hidden_ = 0;
    bool normalize_ = false;
};

// The reference: row by row, each chosen expert by itself, with matmul_nt_reference on the
// unpacked weights (router [experts, d], gate/up [ffn, d], down [d, ffn] per expert).
void moe_mlp_reference(const Weight& router, const std::vector<Weight>& gate,
                       const std::vector<Weight>& up, const std::vector<Weight>& down,
                       int64_t top_k, bool normalize, const float* h, int64_t rows, float* x);

}  // namespace remask
