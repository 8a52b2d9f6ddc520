#include "model/transformer_weights.h"

#include <algorithm>

#include "model/families.h"

namespace remask {
namespace {

// Fetches tensors by name and tallies parameters and bytes.
class Loader {
public:
    Loader(const Checkpoint& checkpoint, TransformerWeights& out) : ckpt_(checkpoint), out_(out) {}

    Weight matrix(const std::string& name, int64_t rows, int64_t cols) {
        Weight w = ckpt_.matrix(name + ".weight", rows, cols);
        tally(w.rows * w.cols, w.bytes());
        if (w.blocks) {
            if (std::find(out_.block_types.begin(), out_.block_types.end(), w.blocks->name) == out_.block_types.end())
                out_.block_types.push_back(w.blocks->name);
        } else if (std::find(out_.dtypes.begin(), out_.dtypes.end(), w.dtype) == out_.dtypes.end()) {
            out_.dtypes.push_back(w.dtype);
        }
        return w;
    }
    // name + suffix when wanted, else empty.
    std::vector<float> vector(const std::string& name, int64_t n, bool wanted) {
        if (!wanted) return {};
        std::vector<float> v = ckpt_.vector(name, n);
        tally(n, ckpt_.find(name)->bytes);
        return v;
    }

private:
    void tally(int64_t elements, int64_t bytes) {
        out_.parameter_count += elements;
        out_.weight_bytes += bytes;
    }
    const Checkpoint& ckpt_;
    TransformerWeights& out_;
};

}  // namespace

TransformerWeights load_transformer_weights(const Checkpoint& checkpoint, const ModelConfig& c) {
    TransformerWeights w;
    Loader load(checkpoint, w);
    const TensorLayout names = tensor_layout(c.family);
    const int64_t d = c.hidden_size, qd = c.num_heads * c.head_dim, kvd = c.num_kv_heads * c.head_dim;
    const bool norm_w = c.norm_weight, norm_b = c.norm_bias;

    w.embed = load.matrix(names.embed, c.vocab_size, d);
    for (int64_t i = 0; i < c.num_layers; ++i) {
        auto n = [&](const std::string& role) { return names.layer(i, role); };
        LayerWeights l;
        l.attn_norm_weight = load.vector(n(names.attn_norm) + ".weight", d, norm_w);
        l.attn_norm_bias = load.vector(n(names.attn_norm) + ".bias", d, norm_b);
        l.q = load.matrix(n(names.q), qd, d);
        l.k = load.matrix(n(names.k), kvd, d);
        l.v = load.matrix(n(names.v), kvd, d);
        l.o = load.matrix(n(names.o), d, qd);
        l.q_bias = load.vector(n(names.q) + ".bias", qd, c.qkv_bias);
        l.k_bias = load.vector(n(names.k) + ".bias", kvd, c.qkv_bias);
        l.v_bias = load.vector(n(names.v) + ".bias", kvd, c.qkv_bias);
        l.o_bias = load.vector(n(names.o) + ".bias", d, c.attn_out_bias);
        if (c.qk_norm) {
            const int64_t qn = c.qk_norm_per_head ? c.head_dim : qd, kn = c.qk_norm_per_head ? c.head_dim : kvd;
            l.q_norm_weight = load.vector(n(names.q_norm) + ".weight", qn, c.qk_norm_weight);
            l.q_norm_bias = load.vector(n(names.q_norm) + ".bias", qn, c.qk_norm_bias);
            l.k_norm_weight = load.vector(n(names.k_norm) + ".weight", kn, c.qk_norm_weight);
            l.k_norm_bias = load.vector(n(names.k_norm) + ".bias", kn, c.qk_norm_bias);
        }
        l.ffn_norm_weight = load.vector(n(names.ffn_norm) + ".weight", d, norm_w);
        l.ffn_norm_bias = load.vector(n(names.ffn_norm) + ".bias", d, norm_b);
        if (c.num_experts > 0) {
            l.router = load.matrix(n(names.router), c.num_experts, d);
            for (int64_t e = 0; e < c.num_experts; ++e) {
                const std::string expert = n(names.experts) + std::to_string(e) + ".";
                l.expert_gate.push_back(load.matrix(expert + names.expert_gate, c.ffn_size, d));
                l.expert_up.push_back(load.matrix(expert + names.expert_up, c.ffn_size, d));
                l.expert_down.push_back(load.matrix(expert + names.expert_down, d, c.ffn_size));
            }
            w.layers.push_back(std::move(l));
            continue;
        }
        l.gate = load.matrix(n(names.gate), c.ffn_size, d);
        l.up = load.matrix(n(names.up), c.ffn_size, d);
        l.down = load.matrix(n(names.down), d, c.ffn_size);
        l.gate_bias = load.vector(n(names.gate) + ".bias", c.ffn_size, c.mlp_bias);
        l.up_bias = load.vector(n(names.up) + ".bias", c.ffn_size, c.mlp_bias);
        l.down_bias = load.vector(n(names.down) + ".bias", d, c.mlp_bias);
        w.layers.push_back(std::move(l));
    }
    w.final_norm_weight = load.vector(names.final_norm + ".weight", d, norm_w);
    w.final_norm_bias = load.vector(names.final_norm + ".bias", d, norm_b);
    w.head = c.tied_head ? w.embed : load.matrix(names.head, c.vocab_size, d);
    w.head_bias = load.vector(names.head + ".bias", c.vocab_size, c.head_bias);
    // A token runs experts_per_token of the num_experts experts of each layer.
    const int64_t unused_experts = c.num_experts - c.experts_per_token;
    w.active_parameter_count = w.parameter_count - c.num_layers * unused_experts * 3 * d * c.ffn_size;
    return w;
}

}  // namespace remask
