#include "model/gguf_checkpoint.h"

#include <deque>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/pages.h"
#include "model/checkpoint.h"
#include "model/gguf_architectures.h"

namespace remask {
namespace {

// What a GGUF checkpoint keeps alive: the mapping, the tensor views under Hugging Face
// names, and the un-permuted copies of LLaDA/LLaMA q/k projections.
struct GgufCheckpointData {
    explicit GgufCheckpointData(const std::string& path) : file(path) {}
    GgufFile file;
    std::deque<TensorInfo> infos;
    std::deque<std::vector<uint8_t>> copies;
};

const GgufArchitecture& architecture_of(const GgufFile& file) {
    const std::string name = file.string("general.architecture");
    const GgufArchitecture* arch = gguf_architecture(name);
    if (!arch)
        file.fail("general.architecture",
                  "'" + name + "' is not supported (supported: " + gguf_architecture_names() + ")");
    return *arch;
}

// LLaDA-MoE: the keys of its Hugging Face config.json (llada_moe_family.cpp reads them) from
// llama.cpp's `llada-moe.*` metadata (docs/llada-moe.md, "GGUF names").
nlohmann::json llada_moe_config_json(const GgufFile& f, const std::string& a, int64_t hidden, int64_t heads,
                                     int64_t kv_heads, int64_t head_dim, int64_t vocab, bool tied) {
    if (head_dim * heads != hidden)
        f.fail(a + ".attention.key_length", "LLaDA-MoE needs head size = embedding length / heads");
    const int64_t experts = f.integer(a + ".expert_count");
    const int64_t used = f.integer(a + ".expert_used_count");
    if (experts <= 0 || used <= 0 || used > experts)
        f.fail(a + ".expert_used_count", "needs 0 < expert_used_count <= expert_count");
    // llama.cpp: feed_forward_length / expert_used_count when the expert width is absent.
    int64_t expert_ffn = f.integer_or(a + ".expert_feed_forward_length", 0);
    if (expert_ffn == 0) expert_ffn = f.integer_or(a + ".feed_forward_length", 0) / used;
    if (expert_ffn <= 0) f.fail(a + ".expert_feed_forward_length", "missing (and no feed_forward_length)");
    if (f.integer_or(a + ".expert_shared_count", 0) != 0)
        f.fail(a + ".expert_shared_count", "a shared expert is not implemented");
    if (!f.find("blk.0.attn_q_norm.weight") || !f.find("blk.0.attn_k_norm.weight"))
        f.fail("blk.0.attn_q_norm.weight", "missing: LLaDA-MoE normalises q and k per head");
    nlohmann::json c;
    c["model_type"] = "llada";
    c["architectures"] = {"LLaDAMoEModelLM"};
    c["hidden_size"] = hidden;
    c["num_hidden_layers"] = f.integer(a + ".block_count");
    c["num_attention_heads"] = heads;
    c["num_key_value_heads"] = kv_heads;
    c["num_experts"] = experts;
    c["num_experts_per_tok"] = used;
    c["expert_intermediate_size"] = expert_ffn;
    c["qk_layernorm"] = true;
    c["attention_bias"] = false;
    c["hidden_act"] = "silu";
    c["norm_topk_prob"] = false;
    c["vocab_size"] = vocab;
    c["max_position_embeddings"] = f.integer_or(a + ".context_length", 0);
    c["tie_word_embeddings"] = tied;
    return c;
}

}  // namespace

nlohmann::json gguf_config_json(const GgufFile& f) {
    const GgufArchitecture& arch = architecture_of(f);
    const std::string a = arch.name;
    const int64_t hidden = f.integer(a + ".embedding_length");
    const int64_t heads = f.integer(a + ".attention.head_count");
    const int64_t kv_heads = f.integer_or(a + ".attention.head_count_kv", heads);
    if (hidden <= 0 || heads <= 0 || kv_heads <= 0)
        f.fail(a + ".attention.head_count", "embedding length and head counts must be positive");
    const int64_t head_dim = f.integer_or(a + ".attention.key_length", hidden / heads);
    if (f.integer_or(a + ".attention.value_length", head_dim) != head_dim)
        f.fail(a + ".attention.value_length", "differs from the key length (not supported)");
    if (f.integer_or(a + ".rope.dimension_count", head_dim) != head_dim)
        f.fail(a + ".rope.dimension_count", "RoPE over part of a head (partial rotary) is not supported");

    const GgufTensor* embed = f.find("token_embd.weight");
    if (!embed) f.fail("token_embd.weight", "missing: the embedding gives the vocabulary size");
    if (embed->dims.size() != 2) f.fail("token_embd.weight", "must have 2 dimensions");
    const int64_t vocab = embed->dims[1];
    const bool tied = f.find("output.weight") == nullptr;
    const bool qkv_bias = f.find("blk.0.attn_q.bias") != nullptr;

    const bool causal = f.flag_or(a + ".attention.causal", arch.family == Family::qwen2 || arch.family == Family::llama);
    const bool family_causal = arch.family == Family::qwen2 || arch.family == Family::llama;
    if (causal != family_causal)
        f.fail(a + ".attention.causal", std::string("is ") + (causal ? "true" : "false") + " but remask runs " + a +
                                            (family_causal ? " causally" : " bidirectionally"));

    nlohmann::json rope_scaling;  // null = none
    if (const GgufValue* type = f.value(a + ".rope.scaling.type")) {
        const std::string t = f.string(a + ".rope.scaling.type");
        if (t == "linear" && arch.family != Family::llada) {
            rope_scaling = {{"rope_type", "linear"}, {"factor", f.number(a + ".rope.scaling.factor")}};
        } else if (t != "none") {
            f.fail(a + ".rope.scaling.type", "'" + t + "' is not supported");
        }
        (void)type;
    }

    nlohmann::json c;
    c["model_type"] = arch.model_type;
    if (arch.family == Family::llada_moe) {
        c = llada_moe_config_json(f, a, hidden, heads, kv_heads, head_dim, vocab, tied);
        if (!rope_scaling.is_null()) f.fail(a + ".rope.scaling.type", "RoPE scaling is not implemented for LLaDA-MoE");
        if (qkv_bias) f.fail("blk.0.attn_q.bias", "LLaDA-MoE q/k/v biases are not supported");
    } else if (arch.family == Family::llada) {
        if (head_dim * heads != hidden) f.fail(a + ".attention.key_length", "LLaDA needs head size = d / heads");
        c["architectures"] = {"LLaDAModelLM"};
        c["d_model"] = hidden;
        c["n_heads"] = heads;
        c["n_kv_heads"] = kv_heads;
        c["n_layers"] = f.integer(a + ".block_count");
        c["mlp_hidden_size"] = f.integer(a + ".feed_forward_length");
        c["vocab_size"] = vocab;
        c["embedding_size"] = vocab;
        c["max_sequence_length"] = f.integer_or(a + ".context_length", 0);
        c["rope"] = true;
        c["alibi"] = false;
        c["block_type"] = "llama";
        c["layer_norm_type"] = "rms";
        c["activation_type"] = "silu";
        c["weight_tying"] = tied;
        c["include_qkv_bias"] = qkv_bias;
        if (f.find("blk.0.attn_output.bias")) f.fail("blk.0.attn_output.bias", "LLaDA output biases are not supported");
    } else {
        c["hidden_size"] = hidden;
        c["num_hidden_layers"] = f.integer(a + ".block_count");
        c["num_attention_heads"] = heads;
        c["num_key_value_heads"] = kv_heads;
        c["head_dim"] = head_dim;
        c["intermediate_size"] = f.integer(a + ".feed_forward_length");
        c["vocab_size"] = vocab;
        c["max_position_embeddings"] = f.integer_or(a + ".context_length", 0);
        c["hidden_act"] = "silu";
        c["tie_word_embeddings"] = tied;
        if (arch.family != Family::llama) {
            c["use_sliding_window"] = false;
        } else {
            c["attention_bias"] = qkv_bias;
            c["mlp_bias"] = f.find("blk.0.ffn_gate.bias") != nullptr;
        }
        if (!rope_scaling.is_null()) c["rope_scaling"] = rope_scaling;
    }
    c["rope_theta"] = f.number_or(a + ".rope.freq_base", 10000.0);
    c["rms_norm_eps"] = f.number(a + ".attention.layer_norm_rms_epsilon");
    const std::pair<const char*, const char*> ids[] = {
        {"tokenizer.ggml.mask_token_id", "mask_token_id"},
        {"tokenizer.ggml.bos_token_id", "bos_token_id"},
        {"tokenizer.ggml.eos_token_id", "eos_token_id"},
        {"tokenizer.ggml.padding_token_id", "pad_token_id"},
    };
    for (const auto& [key, field] : ids)
        if (f.value(key)) c[field] = f.integer(key);
    return c;
}

ModelConfig read_gguf_model_config(const std::string& path) {
    const GgufFile file(path);
    return parse_model_config(gguf_config_json(file), path);
}

namespace {

// A stacked expert tensor (ggml ne {cols, rows, experts}) as one view per expert: slice E
// is contiguous (rows whole blocks), so each view points into the mapped file.
void add_expert_slices(const GgufTensor& t, const ModelConfig& config, const TensorLayout& layout,
                       const std::string& path, GgufCheckpointData& data,
                       std::map<std::string, const TensorInfo*>& index) {
    const std::string where = path + " (GGUF '" + t.name + "')";
    if (config.num_experts == 0) throw InputError(where, "expert tensors in a model without experts");
    if (t.dims.size() != 3 || t.dims[2] != config.num_experts)
        throw InputError(where, "must have 3 dimensions, the last the expert count " +
                                    std::to_string(config.num_experts));
    const uint64_t slice_bytes = t.bytes / static_cast<uint64_t>(config.num_experts);
    for (int64_t e = 0; e < config.num_experts; ++e) {
        TensorInfo info;
        info.name = hf_expert_name(t.name, e, layout);
        info.dtype = t.type->name;
        info.element_size = t.type->block_values == 1 ? t.type->block_bytes : 0;
        info.shape = {t.dims[1], t.dims[0]};
        info.data = static_cast<const uint8_t*>(t.data) + e * slice_bytes;
        info.bytes = slice_bytes;
        if (t.type->block_values > 1 && t.type->supported) info.blocks = t.type;
        info.file = where + " [expert " + std::to_string(e) + "]";
        const TensorInfo& stored = data.infos.emplace_back(std::move(info));
        index[stored.name] = &stored;
    }
}

}  // namespace

Checkpoint Checkpoint::open_gguf(const std::string& path) {
    auto data = std::make_shared<GgufCheckpointData>(path);
    const GgufFile& f = data->file;
    Checkpoint ckpt;
    ckpt.dir_ = path;
    ckpt.config_path_ = path;
    ckpt.config_ = gguf_config_json(f);
    const GgufArchitecture& arch = architecture_of(f);
    const ModelConfig config = parse_model_config(ckpt.config_, path);
    const TensorLayout layout = tensor_layout(config.family);

    for (const GgufTensor& t : f.tensors()) {
        if (!hf_expert_name(t.name, 0, layout).empty()) {
            add_expert_slices(t, config, layout, path, *data, ckpt.index_);
            continue;
        }
        const std::string hf = hf_tensor_name(t.name, layout);
        if (hf.empty())
            throw InputError(path + ": tensor '" + t.name + "'",
                             std::string("is not a tensor of a ") + arch.name + " model remask can run");
        TensorInfo info;
        info.name = hf;
        info.dtype = t.type->name;
        info.element_size = t.type->block_values == 1 ? t.type->block_bytes : 0;
        for (auto d = t.dims.rbegin(); d != t.dims.rend(); ++d) info.shape.push_back(*d);
        info.data = t.data;
        info.bytes = t.bytes;
        if (t.type->block_values > 1 && t.type->supported) info.blocks = t.type;
        info.file = path + " (GGUF '" + t.name + "')";
        const bool is_q = t.name.find(".attn_q.") != std::string::npos;
        const bool is_k = t.name.find(".attn_k.") != std::string::npos;
        if (arch.permuted_qk && (is_q || is_k)) {
            const int64_t heads = is_q ? config.num_heads : config.num_kv_heads;
            const int64_t rows = t.dims.size() == 1 ? t.dims[0] : t.rows();
            if (rows != heads * config.head_dim)
                throw InputError(info.file, "has " + std::to_string(rows) + " rows, the config implies " +
                                                std::to_string(heads * config.head_dim));
            if (t.dims.size() == 1 && t.type->block_values != 1)
                throw InputError(info.file, "a quantized 1-D q/k tensor cannot be un-permuted");
            const int64_t row_bytes = static_cast<int64_t>(t.bytes) / rows;
            std::vector<uint8_t>& copy = data->copies.emplace_back(t.bytes);
            unpermute_qk_rows(t.data, copy.data(), heads, config.head_dim, row_bytes);
            info.data = copy.data();
            release_pages(t.data, static_cast<int64_t>(t.bytes));  // only the copy is read from now on
        }
        const TensorInfo& stored = data->infos.emplace_back(std::move(info));
        ckpt.index_[hf] = &stored;
    }
    ckpt.gguf_ = std::move(data);
    return ckpt;
}

}  // namespace remask

namespace remask {

std::string tokenizer_json_for_model(const std::string& model) {
    const std::filesystem::path p(model);
    if (is_gguf_path(model)) return (p.parent_path() / "tokenizer.json").string();
    return (p / "tokenizer.json").string();
}

}  // namespace remask
