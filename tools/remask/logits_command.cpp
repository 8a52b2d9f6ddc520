// remask logits: the engine's logits for one token sequence, as a sampler sees them.

#include <string>
#include <vector>

#include "commands.h"
#include "core/error.h"
#include "core/log.h"
#include "model/model.h"
#include "model/npy.h"

namespace remask::cli {
namespace {

std::vector<int64_t> parse_int_list(const std::string& flag, const std::string& text) {
    std::vector<int64_t> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t next = text.find(',', pos);
        if (next == std::string::npos) next = text.size();
        const std::string item = text.substr(pos, next - pos);
        size_t used = 0;
        int64_t value = 0;
        try {
            value = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (item.empty() || used != item.size())
            throw UsageError(flag, "'" + item + "' is not an integer (expected a list like 1,2,3)");
        out.push_back(value);
        pos = next + 1;
    }
    return out;
}

}  // namespace

void add_logits_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("logits", "Write the model's logits for a token sequence to a .npy file");
    auto model_dir = std::make_shared<std::string>();
    auto ids_text = std::make_shared<std::string>();
    auto rows_text = std::make_shared<std::string>();
    auto out_path = std::make_shared<std::string>();
    cmd->add_option("--model", *model_dir, "Model folder (config.json + safetensors) or .gguf file")->required();
    cmd->add_option("--ids", *ids_text, "Token ids, comma-separated: 1,2,3")->required();
    cmd->add_option("--rows", *rows_text, "Positions that need logits (default: all)");
    cmd->add_option("--out", *out_path, "Output .npy: float32 [rows, vocab]")->required();
    cmd->callback([=] {
        std::vector<int32_t> ids;
        for (int64_t id : parse_int_list("--ids", *ids_text)) {
            if (id < INT32_MIN || id > INT32_MAX) throw UsageError("--ids", "id out of range");
            ids.push_back(static_cast<int32_t>(id));
        }
        std::vector<int64_t> rows;
        if (!rows_text->empty()) rows = parse_int_list("--rows", *rows_text);
        auto model = Model::load(*model_dir);
        std::vector<float> logits;
        model->forward({ids}, rows, logits);
        const int64_t n_rows = rows.empty() ? static_cast<int64_t>(ids.size()) : static_cast<int64_t>(rows.size());
        write_npy_f32(*out_path, {n_rows, model->vocab_size()}, logits.data());
        log_info("logits: wrote [", n_rows, ", ", model->vocab_size(), "] to ", *out_path);
    });
}

}  // namespace remask::cli
