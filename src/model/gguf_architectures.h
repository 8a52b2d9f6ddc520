#pragma once
// How llama.cpp's GGUF files name what Hugging Face folders name differently: one entry per
// architecture (general.architecture → our family, the model_type its config.json would
// carry, whether llama.cpp's converter permuted the q/k rows for its NORM RoPE) and one table
// of tensor roles (GGUF name → the family's TensorLayout field). The GGUF reader
// (gguf_checkpoint.cpp) and writer (gguf_writer.cpp) both use these, so adding an
// architecture is one line here (plus its roles, e.g. experts for llada-moe).

#include <string>
#include <vector>

#include "model/families.h"
#include "model/model_config.h"

namespace remask {

struct GgufArchitecture {
    const char* name;        // general.architecture
    Family family;
    const char* model_type;  // as in the Hugging Face config.json
    // llama.cpp's converter interleaves each head's q and k rows (halves → pairs) for its
    // NORM RoPE (LLaDA, LLaMA); NEOX models (Qwen2, Dream, LLaDA-MoE) keep the Hugging Face order.
    bool permuted_qk;
};

const GgufArchitecture* gguf_architecture(const std::string& name);
const GgufArchitecture& gguf_architecture(Family family);
std::string gguf_architecture_names();  // "llada, dream, qwen2, llama, llada-moe"

// One tensor role: GGUF base name (per layer: after "blk.N.") and the TensorLayout field.
struct GgufTensorRole {
    const char* gguf;
    std::string TensorLayout::*field;
    bool per_layer;
};
const std::vector<GgufTensorRole>& gguf_tensor_roles();
// Mixture of experts: llama.cpp stacks expert E's gate/up/down of layer N into one 3-D
// tensor per kind, blk.N.ffn_{gate,up,down}_exps.weight (ggml ne {cols, rows, experts});
// the field is the TensorLayout's expert_gate/_up/_down (under layout.experts + E + ".").
const std::vector<GgufTensorRole>& gguf_expert_roles();
// The Hugging Face name of expert `expert`'s slice of a stacked GGUF tensor, or "" when the
// name is not an expert stack ("blk.2.ffn_up_exps.weight", 5 → "model.layers.2.mlp.experts.5.up_proj.weight").
std::string hf_expert_name(const std::string& gguf_name, int64_t expert, const TensorLayout& layout);
// The reverse: the stack a Hugging Face expert tensor belongs in and its index there, or "".
std::string gguf_expert_stack_name(const std::string& hf_name, const TensorLayout& layout, int64_t& expert);

// The Hugging Face name (with suffix) of a GGUF tensor name ("blk.3.attn_q.weight" →
// "model.layers.3.self_attn.q_proj.weight"), or "" when it is not one the family has.
std::string hf_tensor_name(const std::string& gguf_name, const TensorLayout& layout);
// The reverse: "" when the name is not one the layout produces.
std::string gguf_tensor_name(const std::string& hf_name, const TensorLayout& layout);

// Rows of a q or k projection (or bias) permuted by llama.cpp's converter, back to the
// Hugging Face order: per head of head_dim rows, row 2i + a came from row a·head_dim/2 + i.
// `from` → `to` (distinct), rows of row_bytes bytes.
void unpermute_qk_rows(const void* from, void* to, int64_t heads, int64_t head_dim, int64_t row_bytes);
// The converter's permutation itself (for the writer).
void permute_qk_rows(const void* from, void* to, int64_t heads, int64_t head_dim, int64_t row_bytes);

}  // namespace remask
