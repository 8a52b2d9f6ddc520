// remask info: what a model folder holds and what running it needs.

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "kernels/cpu/cpu_features.h"
#include "model/model.h"

namespace remask::cli {
namespace {

// Activation memory is quoted for one forward of this many tokens, logits for every row.
constexpr int64_t kQuoteTokens = 1024;
// The dual KV cache is quoted at the optimizer's shape: a 1,536-token trace context plus a
// 256-token prompt, K = 4 candidates.
constexpr int64_t kQuoteCacheTokens = 4 * (1536 + 256);

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (bytes >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[unit]);
    return buf;
}

std::string human_count(double n) {
    char buf[32];
    if (n >= 1e9) std::snprintf(buf, sizeof buf, "%.2f B", n / 1e9);
    else if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.2f M", n / 1e6);
    else if (n >= 1e3) std::snprintf(buf, sizeof buf, "%.1f K", n / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
}

nlohmann::json calibration_json(const ComputeCalibration& c) {
    if (!c.measured) return nullptr;
    return {{"choice", compute_type_name(c.choice)}, {"f32_ms", c.f32_ms},           {"bf16_ms", c.bf16_ms},
            {"f32_gflops", c.f32_gflops},            {"bf16_gflops", c.bf16_gflops}, {"from_file", c.from_file}};
}

nlohmann::json describe(const Model& model) {
    const ModelConfig& c = model.config();
    const int64_t activations = model.activation_bytes(kQuoteTokens, kQuoteTokens);
    return {
        {"model", model.dir()},
        {"family", family_name(c.family)},
        {"model_type", c.model_type},
        {"architecture", c.architecture},
        {"attention", c.causal ? "causal" : "bidirectional"},
        {"shift_logits", c.shift_logits},
        {"layers", c.num_layers},
        {"hidden_size", c.hidden_size},
        {"heads", c.num_heads},
        {"kv_heads", c.num_kv_heads},
        {"head_dim", c.head_dim},
        {"ffn_size", c.ffn_size},
        {"vocab_size", c.vocab_size},
        {"tied_head", c.tied_head},
        {"rope_theta", c.rope_theta},
        {"norm_eps", c.norm_eps},
        {"parameters", model.parameter_count()},
        {"active_parameters", model.active_parameter_count()},
        {"experts", c.num_experts},
        {"experts_per_token", c.experts_per_token},
        {"dtype", model.weight_dtype()},
        {"weight_bytes", model.weight_bytes()},
        {"activation_bytes_per_1k_tokens", activations},
        {"memory_bytes", model.packed_bytes() + activations},
        {"compute", compute_type_name(model.compute_type())},
        {"compute_calibration", calibration_json(model.compute_calibration())},
        {"kv_cache_bytes_optimizer_shape", c.causal ? 0 : model.dual_kv_cache_bytes(kQuoteCacheTokens)},
        {"isa", isa_name(active_isa())},
        {"packed_bytes", model.packed_bytes()},
        {"products", model.products()},
        {"mask_token_id", c.mask_token_id},
        {"bos_token_id", c.bos_token_id},
        {"eos_token_ids", c.eos_token_ids},
        {"pad_token_id", c.pad_token_id},
    };
}

void print_text(const nlohmann::json& j) {
    auto line = [](const char* key, const std::string& value) {
        std::printf("%-12s %s\n", key, value.c_str());
    };
    line("model", j["model"].get<std::string>());
    line("family", j["family"].get<std::string>() + " (model_type " + j["model_type"].get<std::string>() +
                       (j["architecture"].get<std::string>().empty() ? "" : ", " + j["architecture"].get<std::string>()) + ")");
    line("attention", j["attention"].get<std::string>() +
                          (j["shift_logits"].get<bool>() ? ", logits shifted by one" : ""));
    line("layers", std::to_string(j["layers"].get<int64_t>()));
    line("hidden", std::to_string(j["hidden_size"].get<int64_t>()));
    line("heads", std::to_string(j["heads"].get<int64_t>()) + " (" + std::to_string(j["kv_heads"].get<int64_t>()) +
                      " key/value, head size " + std::to_string(j["head_dim"].get<int64_t>()) + ")");
    line("ffn", std::to_string(j["ffn_size"].get<int64_t>()) + (j["experts"].get<int64_t>() > 0 ? " per expert" : ""));
    if (j["experts"].get<int64_t>() > 0)
        line("experts", std::to_string(j["experts"].get<int64_t>()) + " per layer, top " +
                            std::to_string(j["experts_per_token"].get<int64_t>()) +
                            " per token (softmax router, weights not renormalised)");
    line("vocab", std::to_string(j["vocab_size"].get<int64_t>()) +
                      (j["tied_head"].get<bool>() ? " (head tied to the embedding)" : ""));
    std::string active;
    if (j["experts"].get<int64_t>() > 0)
        active = ", " + human_count(j["active_parameters"].get<double>()) + " (" +
                 std::to_string(j["active_parameters"].get<int64_t>()) + ") active per token";
    line("parameters", human_count(j["parameters"].get<double>()) + " (" +
                           std::to_string(j["parameters"].get<int64_t>()) + ")" + active);
    line("dtype", j["dtype"].get<std::string>());
    line("weights", human_bytes(j["weight_bytes"].get<double>()) + " stored, " +
                        human_bytes(j["packed_bytes"].get<double>()) + " held for the products: " +
                        j["products"].get<std::string>() + " (" + j["isa"].get<std::string>() + ")");
    line("memory", human_bytes(j["memory_bytes"].get<double>()) + " for one " + std::to_string(kQuoteTokens) +
                       "-token forward (weights + " +
                       human_bytes(j["activation_bytes_per_1k_tokens"].get<double>()) + " working memory)");
    const nlohmann::json& cal = j["compute_calibration"];
    if (cal.is_null()) {
        line("compute", j["compute"].get<std::string>() + " (no choice to measure: float32 checkpoint, int8, "
                                                          "forced, or no native bf16)");
    } else {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s, measured: probe f32 %.1f ms (%.0f GFLOP/s), bf16 %.1f ms (%.0f GFLOP/s)%s",
                      j["compute"].get<std::string>().c_str(), cal["f32_ms"].get<double>(),
                      cal["f32_gflops"].get<double>(), cal["bf16_ms"].get<double>(), cal["bf16_gflops"].get<double>(),
                      cal["from_file"].get<bool>() ? " (cached)" : "");
        line("compute", buf);
    }
    if (j["attention"] == "bidirectional")
        line("kv cache", human_bytes(j["kv_cache_bytes_optimizer_shape"].get<double>()) +
                             " dual cache for 4 candidates x 1,792 tokens (the optimizer's shape)");
    std::string eos;
    for (const auto& id : j["eos_token_ids"]) eos += (eos.empty() ? "" : ",") + id.dump();
    line("tokens", "mask " + j["mask_token_id"].dump() + ", bos " + j["bos_token_id"].dump() + ", eos " +
                       (eos.empty() ? "-1" : eos) + ", pad " + j["pad_token_id"].dump() + " (-1: not set)");
}

}  // namespace

void add_info_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("info", "Describe a model folder: family, shapes, parameters, memory");
    auto model_dir = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto load = std::make_shared<LoadOptions>();
    cmd->add_option("--model", *model_dir, "Model folder (config.json + safetensors) or .gguf file")->required();
    cmd->add_option("--compute", load->compute, "auto (fastest measured here) | f32 | bf16")
        ->check(CLI::IsMember({"auto", "f32", "bf16"}));
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->callback([=] {
        auto model = Model::load(*model_dir, *load);
        const nlohmann::json j = describe(*model);
        if (*json) std::printf("%s\n", j.dump().c_str());
        else print_text(j);
    });
}

}  // namespace remask::cli
