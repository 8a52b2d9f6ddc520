#pragma once
// The weights of the config-driven transformer, as views into the memory-mapped
// checkpoint (matrices) or small float32 copies (norm scales and biases).
// An empty vector / empty Weight means the config has no such parameter.

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/cpu/dtype.h"
#include "model/checkpoint.h"
#include "model/model_config.h"

namespace remask {

struct LayerWeights {
    std::vector<float> attn_norm_weight, attn_norm_bias;   // [d]
    Weight q, k, v, o;                                     // [hq*hd, d], [hkv*hd, d] ×2, [d, hq*hd]
    std::vector<float> q_bias, k_bias, v_bias, o_bias;
    std::vector<float> q_norm_weight, q_norm_bias;         // [hq*hd] (qk_norm only)
    std::vector<float> k_norm_weight, k_norm_bias;         // [hkv*hd]
    std::vector<float> ffn_norm_weight, ffn_norm_bias;     // [d]
    Weight gate, up, down;                                 // [ffn, d], [ffn, d], [d, ffn]
    std::vector<float> gate_bias, up_bias, down_bias;
    // Mixture of experts (config.num_experts > 0) instead of gate/up/down:
    Weight router;                                         // [experts, d]
    std::vector<Weight> expert_gate, expert_up, expert_down;  // per expert [ffn, d], [ffn, d], [d, ffn]
};

struct TransformerWeights {
    Weight embed;                                          // [vocab, d]
    std::vector<LayerWeights> layers;
    std::vector<float> final_norm_weight, final_norm_bias;  // [d]
    Weight head;                                           // [vocab, d] (the embedding when tied)
    std::vector<float> head_bias;                          // [vocab]

    int64_t parameter_count = 0;  // elements of every tensor above (tied head counted once)
    int64_t active_parameter_count = 0;  // those one token uses: all but its unchosen experts
    int64_t weight_bytes = 0;     // their bytes as stored
    std::vector<DType> dtypes;    // distinct dtypes of the matrices (not in ggml blocks)
    std::vector<std::string> block_types;  // distinct ggml block types of GGUF quantized matrices
};

// Fetches every tensor the config calls for, checking its shape; InputError names the
// first tensor that is missing or has the wrong shape.
TransformerWeights load_transformer_weights(const Checkpoint& checkpoint, const ModelConfig& config);

}  // namespace remask
