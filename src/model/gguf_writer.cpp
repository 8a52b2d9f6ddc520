#include "model/gguf_writer.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/gguf_architectures.h"
#include "model/model_config.h"
#include "tokenizer/byte_level.h"

namespace remask {
namespace {

constexpr uint64_t kAlignment = 32;

template <typename T>
void put(std::string& out, T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.append(bytes, sizeof(T));
}
void put_string(std::string& out, const std::string& s) {
    put<uint64_t>(out, s.size());
    out += s;
}

// llama.cpp's token types.
enum TokenType : int32_t { kNormal = 1, kControl = 3, kUserDefined = 4, kUnused = 5 };

// The vocabulary metadata of a folder: from tokenizer.json when present.
struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    std::vector<std::string> merges;
    std::string pre = "default";
};

std::string pre_type(const nlohmann::json& tokenizer) {
    // llama.cpp names the pre-tokenizer by a hash of its output on a test text; the regexes
    // it recognizes for the vocabularies we meet are matched here instead.
    const std::string dump = tokenizer.value("pre_tokenizer", nlohmann::json()).dump();
    if (dump.find("\\\\p{N}{1,3}") != std::string::npos) return "llama-bpe";
    if (dump.find("\\\\p{N}") != std::string::npos) return "qwen2";
    return "default";
}

Vocabulary read_vocabulary(const std::string& dir, int64_t vocab_size) {
    Vocabulary v;
    v.tokens.resize(vocab_size);
    v.types.assign(vocab_size, kUnused);
    std::vector<bool> have(vocab_size, false);
    const std::string path = (std::filesystem::path(dir) / "tokenizer.json").string();
    if (!std::filesystem::exists(path)) {
        for (int b = 0; b < 256 && b < vocab_size; ++b) {
            v.tokens[b] = byte_level::byte_to_text(static_cast<uint8_t>(b));
            v.types[b] = kNormal;
            have[b] = true;
        }
    } else {
        const nlohmann::json tok = read_json_file(path);
        const nlohmann::json model = tok.value("model", nlohmann::json::object());
        if (model.value("type", "") != "BPE") throw InputError(path, "only BPE tokenizers can be written to GGUF");
        // Named copies: iterating a temporary's items() would read a destroyed object.
        const nlohmann::json vocab_json = model.value("vocab", nlohmann::json::object());
        const nlohmann::json added_json = tok.value("added_tokens", nlohmann::json::array());
        const nlohmann::json merges_json = model.value("merges", nlohmann::json::array());
        for (const auto& [text, id_json] : vocab_json.items()) {
            const int64_t id = id_json.get<int64_t>();
            if (id < 0 || id >= vocab_size) continue;
            v.tokens[id] = text;
            v.types[id] = kNormal;
            have[id] = true;
        }
        for (const auto& added : added_json) {
            const int64_t id = added.value("id", int64_t(-1));
            if (id < 0 || id >= vocab_size) continue;
            v.tokens[id] = added.value("content", "");
            v.types[id] = added.value("special", false) ? kControl : kUserDefined;
            have[id] = true;
        }
        for (const auto& merge : merges_json) {
            if (merge.is_string()) v.merges.push_back(merge.get<std::string>());
            else if (merge.is_array() && merge.size() == 2)
                v.merges.push_back(merge[0].get<std::string>() + " " + merge[1].get<std::string>());
        }
        v.pre = pre_type(tok);
    }
    for (int64_t i = 0; i < vocab_size; ++i)
        if (!have[i]) v.tokens[i] = "[PAD" + std::to_string(i) + "]";
    return v;
}

// A tensor of the checkpoint converted to `type` (1-D tensors and norms stay F32).
std::vector<uint8_t> convert_tensor(const TensorInfo& info, const GgmlType& type) {
    const int64_t rows = info.shape.size() == 1 ? 1 : info.shape[0];
    const int64_t cols = info.shape.back();
    const Weight source{info.float_dtype(), info.data, rows, cols};
    std::vector<uint8_t> out(rows * cols * type.block_bytes);
    std::vector<float> row(cols);
    for (int64_t r = 0; r < rows; ++r) {
        weight_row_to_f32(source, r, row.data());
        uint8_t* dst = out.data() + r * cols * type.block_bytes;
        for (int64_t c = 0; c < cols; ++c) {
            if (type.id == kGgmlF32) {
                std::memcpy(dst + 4 * c, &row[c], 4);
            } else {
                const uint16_t bits = type.id == kGgmlBF16 ? f32_to_bf16(row[c]) : f32_to_f16(row[c]);
                std::memcpy(dst + 2 * c, &bits, 2);
            }
        }
    }
    return out;
}

// Expert E's matrix [rows, cols] as slice E of one tensor ne {cols, rows, experts}, as the
// converter's torch.stack(dim=0) writes it.
void add_expert_stack(GgufBuilder& g, const std::string& name, const std::vector<const TensorInfo*>& slots,
                      const GgmlType& type) {
    for (size_t e = 0; e < slots.size(); ++e)
        if (!slots[e]) throw InputError("tensor '" + name + "'", "expert " + std::to_string(e) + " is missing");
    const std::vector<int64_t> shape = slots[0]->shape;
    for (const TensorInfo* info : slots) {
        if (info->shape != shape || shape.size() != 2)
            throw InputError(info->file + ": tensor '" + info->name + "'", "experts of one stack differ in shape");
        if (!info->is_float())
            throw InputError(info->file + ": tensor '" + info->name + "'", "has dtype " + info->dtype);
    }
    const int64_t experts = static_cast<int64_t>(slots.size());
    g.add_tensor(name, {shape[1], shape[0], experts}, type, [slots, &type] {
        std::vector<uint8_t> out;
        for (const TensorInfo* info : slots) {
            const std::vector<uint8_t> slice = convert_tensor(*info, type);
            out.insert(out.end(), slice.begin(), slice.end());
        }
        return out;
    });
}

}  // namespace

void GgufBuilder::add_string(const std::string& key, const std::string& value) {
    std::string v;
    put<uint32_t>(v, 8);
    put_string(v, value);
    entries_.emplace_back(key, v);
}
void GgufBuilder::add_u32(const std::string& key, uint32_t value) {
    std::string v;
    put<uint32_t>(v, 4);
    put(v, value);
    entries_.emplace_back(key, v);
}
void GgufBuilder::add_i32(const std::string& key, int32_t value) {
    std::string v;
    put<uint32_t>(v, 5);
    put(v, value);
    entries_.emplace_back(key, v);
}
void GgufBuilder::add_f32(const std::string& key, float value) {
    std::string v;
    put<uint32_t>(v, 6);
    put(v, value);
    entries_.emplace_back(key, v);
}
void GgufBuilder::add_bool(const std::string& key, bool value) {
    std::string v;
    put<uint32_t>(v, 7);
    put<uint8_t>(v, value ? 1 : 0);
    entries_.emplace_back(key, v);
}
void GgufBuilder::add_strings(const std::string& key, const std::vector<std::string>& values) {
    std::string v;
    put<uint32_t>(v, 9);
    put<uint32_t>(v, 8);
    put<uint64_t>(v, values.size());
    for (const auto& s : values) put_string(v, s);
    entries_.emplace_back(key, v);
}
void GgufBuilder::add_i32s(const std::string& key, const std::vector<int32_t>& values) {
    std::string v;
    put<uint32_t>(v, 9);
    put<uint32_t>(v, 5);
    put<uint64_t>(v, values.size());
    for (int32_t x : values) put(v, x);
    entries_.emplace_back(key, v);
}
void GgufBuilder::add_raw(const std::string& key, uint32_t type, const std::string& value_bytes) {
    std::string v;
    put<uint32_t>(v, type);
    entries_.emplace_back(key, v + value_bytes);
}

void GgufBuilder::add_tensor(const std::string& name, std::vector<int64_t> dims, const GgmlType& type,
                             std::function<std::vector<uint8_t>()> produce) {
    int64_t numel = 1;
    for (int64_t d : dims) numel *= d;
    tensors_.push_back(Tensor{name, std::move(dims), &type,
                              static_cast<uint64_t>(numel / type.block_values * type.block_bytes),
                              std::move(produce)});
}

template <typename Sink>
void GgufBuilder::emit(Sink& sink) const {
    std::string header = "GGUF";
    put<uint32_t>(header, 3);
    put<uint64_t>(header, tensors_.size());
    put<uint64_t>(header, entries_.size());
    for (const auto& [key, value] : entries_) {
        put_string(header, key);
        header += value;
    }
    uint64_t offset = 0;
    for (const Tensor& t : tensors_) {
        put_string(header, t.name);
        put<uint32_t>(header, static_cast<uint32_t>(t.dims.size()));
        for (int64_t d : t.dims) put<uint64_t>(header, static_cast<uint64_t>(d));
        put<uint32_t>(header, t.type->id);
        put<uint64_t>(header, offset);
        offset += (t.bytes + kAlignment - 1) / kAlignment * kAlignment;
    }
    header.resize((header.size() + kAlignment - 1) / kAlignment * kAlignment, '\0');
    sink(header.data(), header.size());
    for (const Tensor& t : tensors_) {
        std::vector<uint8_t> data = t.produce();
        if (data.size() != t.bytes)
            throw InputError("tensor '" + t.name + "'", "produced " + std::to_string(data.size()) +
                                                            " bytes, expected " + std::to_string(t.bytes));
        data.resize((data.size() + kAlignment - 1) / kAlignment * kAlignment, 0);
        sink(reinterpret_cast<const char*>(data.data()), data.size());
    }
}

void GgufBuilder::write(const std::string& path) const {
    const std::string temp = path + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw ExternalError(temp, "cannot create the file");
        auto sink = [&](const char* data, size_t n) {
            out.write(data, static_cast<std::streamsize>(n));
            if (!out) throw ExternalError(temp, "write failed (disk full?)");
        };
        try {
            emit(sink);
            out.close();
            if (!out) throw ExternalError(temp, "write failed");
        } catch (...) {
            out.close();
            std::remove(temp.c_str());
            throw;
        }
    }
    std::error_code error;
    std::filesystem::rename(temp, path, error);
    if (error) {
        std::remove(temp.c_str());
        throw ExternalError(path, "cannot rename the finished file into place: " + error.message());
    }
}

std::vector<uint8_t> GgufBuilder::bytes() const {
    std::vector<uint8_t> out;
    auto sink = [&](const char* data, size_t n) { out.insert(out.end(), data, data + n); };
    emit(sink);
    return out;
}

void write_gguf_from_folder(const std::string& model_dir, const std::string& out_path, const std::string& type_name) {
    if (type_name != "f32" && type_name != "f16" && type_name != "bf16")
        throw UsageError("--type", "'" + type_name + "' is not one of f32, f16, bf16");
    const GgmlType& matrix_type = *ggml_type_by_name(type_name == "f32" ? "F32" : type_name == "f16" ? "F16" : "BF16");
    const GgmlType& f32 = *ggml_type_by_id(kGgmlF32);
    Checkpoint ckpt = Checkpoint::open(model_dir);
    if (ckpt.is_gguf()) throw UsageError(model_dir, "is already a GGUF file; convert takes a model folder");
    const ModelConfig c = parse_model_config(ckpt.config(), ckpt.config_path());
    if (c.family == Family::llada && (c.qk_norm || c.norm_bias || c.attn_out_bias || c.embed_scale != 1.0 ||
                                      c.logit_scale != 1.0 || !c.norm_weight))
        throw InputError(ckpt.config_path(), "this LLaDA variant has no GGUF form llama.cpp can run");
    if (c.family == Family::llada_moe && (!c.qk_norm || c.qkv_bias || c.tied_head))
        throw InputError(ckpt.config_path(), "llama.cpp's llada-moe needs q/k norms, an untied head and no q/k/v biases");
    if (!c.rope_scaling.empty() && c.rope_scaling != "linear")
        throw InputError(ckpt.config_path(), "rope_scaling " + c.rope_scaling + " is not written to GGUF");
    const GgufArchitecture& arch = gguf_architecture(c.family);
    const std::string a = arch.name;
    const TensorLayout layout = tensor_layout(c.family);

    GgufBuilder g;
    g.add_string("general.architecture", a);
    g.add_string("general.name", std::filesystem::path(model_dir).filename().string());
    g.add_u32(a + ".block_count", static_cast<uint32_t>(c.num_layers));
    g.add_u32(a + ".context_length", static_cast<uint32_t>(c.max_positions > 0 ? c.max_positions : 4096));
    g.add_u32(a + ".embedding_length", static_cast<uint32_t>(c.hidden_size));
    if (c.family != Family::llada_moe) {
        g.add_u32(a + ".feed_forward_length", static_cast<uint32_t>(c.ffn_size));
    } else {
        // The converter writes the first of these it finds (unused by llama-moe's graph),
        // then the expert keys.
        for (const char* key : {"prefix_dense_intermediate_size", "dense_intermediate_size", "intermediate_size"})
            if (ckpt.config().contains(key) && ckpt.config()[key].is_number_integer()) {
                g.add_u32(a + ".feed_forward_length", ckpt.config()[key].get<uint32_t>());
                break;
            }
        g.add_u32(a + ".expert_count", static_cast<uint32_t>(c.num_experts));
        g.add_u32(a + ".expert_used_count", static_cast<uint32_t>(c.experts_per_token));
        g.add_u32(a + ".expert_feed_forward_length", static_cast<uint32_t>(c.ffn_size));
    }
    g.add_u32(a + ".attention.head_count", static_cast<uint32_t>(c.num_heads));
    g.add_u32(a + ".attention.head_count_kv", static_cast<uint32_t>(c.num_kv_heads));
    g.add_f32(a + ".rope.freq_base", static_cast<float>(c.rope_theta));
    g.add_f32(a + ".attention.layer_norm_rms_epsilon", static_cast<float>(c.norm_eps));
    if (c.head_dim * c.num_heads != c.hidden_size) {
        g.add_u32(a + ".attention.key_length", static_cast<uint32_t>(c.head_dim));
        g.add_u32(a + ".attention.value_length", static_cast<uint32_t>(c.head_dim));
    }
    if (c.rope_scaling == "linear") {
        g.add_string(a + ".rope.scaling.type", "linear");
        g.add_f32(a + ".rope.scaling.factor", static_cast<float>(c.rope_factor));
    }
    g.add_u32("general.file_type", type_name == "f32" ? 0 : type_name == "f16" ? 1 : 32);
    if (c.family == Family::llada) {
        g.add_u32(a + ".vocab_size", static_cast<uint32_t>(c.vocab_size));
        g.add_u32(a + ".rope.dimension_count", static_cast<uint32_t>(c.head_dim));
    }
    if (!c.causal) g.add_bool(a + ".attention.causal", false);
    if (c.family == Family::llada || c.family == Family::llada_moe) g.add_bool("diffusion.shift_logits", false);

    const Vocabulary vocab = read_vocabulary(model_dir, c.vocab_size);
    g.add_string("tokenizer.ggml.model", "gpt2");
    g.add_string("tokenizer.ggml.pre", vocab.pre);
    g.add_strings("tokenizer.ggml.tokens", vocab.tokens);
    g.add_i32s("tokenizer.ggml.token_type", vocab.types);
    g.add_strings("tokenizer.ggml.merges", vocab.merges);
    if (c.bos_token_id >= 0) g.add_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(c.bos_token_id));
    if (!c.eos_token_ids.empty())
        g.add_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(c.eos_token_ids[0]));
    if (c.pad_token_id >= 0) g.add_u32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(c.pad_token_id));
    if (c.mask_token_id >= 0) g.add_u32("tokenizer.ggml.mask_token_id", static_cast<uint32_t>(c.mask_token_id));
    if (c.family == Family::llada) g.add_bool("tokenizer.ggml.add_bos_token", true);

    // Experts: one stack per layer and kind, filled in expert order.
    std::map<std::string, std::vector<const TensorInfo*>> stacks;
    for (const TensorInfo* info : ckpt.tensors()) {
        int64_t expert = -1;
        const std::string stack = c.num_experts > 0 ? gguf_expert_stack_name(info->name, layout, expert) : "";
        if (!stack.empty()) {
            if (expert >= c.num_experts)
                throw InputError(info->file + ": tensor '" + info->name + "'",
                                 "expert index beyond num_experts " + std::to_string(c.num_experts));
            auto& slots = stacks[stack];
            slots.resize(c.num_experts, nullptr);
            slots[expert] = info;
            continue;
        }
        const std::string name = gguf_tensor_name(info->name, layout);
        if (name.empty())
            throw InputError(info->file + ": tensor '" + info->name + "'", "has no GGUF name for " + a);
        if (!info->is_float())
            throw InputError(info->file + ": tensor '" + info->name + "'", "has dtype " + info->dtype);
        // The converter keeps the router F32 whatever the type (as 1-D tensors).
        const bool matrix = info->shape.size() == 2 && name.find(".ffn_gate_inp.") == std::string::npos;
        const GgmlType& type = matrix ? matrix_type : f32;
        std::vector<int64_t> dims(info->shape.rbegin(), info->shape.rend());
        const bool is_q = name.find(".attn_q.") != std::string::npos;
        const bool is_k = name.find(".attn_k.") != std::string::npos;
        const int64_t heads = arch.permuted_qk && is_q ? c.num_heads : arch.permuted_qk && is_k ? c.num_kv_heads : 0;
        const int64_t head_dim = c.head_dim;
        const GgmlType* tensor_type = &type;
        g.add_tensor(name, dims, type, [info, tensor_type, heads, head_dim] {
            std::vector<uint8_t> data = convert_tensor(*info, *tensor_type);
            if (heads == 0) return data;
            std::vector<uint8_t> permuted(data.size());
            permute_qk_rows(data.data(), permuted.data(), heads, head_dim,
                            static_cast<int64_t>(data.size()) / (heads * head_dim));
            return permuted;
        });
    }
    for (const auto& [name, slots] : stacks) add_expert_stack(g, name, slots, matrix_type);
    g.write(out_path);
}

}  // namespace remask
