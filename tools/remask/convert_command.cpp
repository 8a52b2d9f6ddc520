// remask convert: a Hugging Face model folder to a GGUF file llama.cpp loads (the same
// writer the tests compare against llama.cpp; docs/gguf.md).

#include <memory>
#include <string>

#include "commands.h"
#include "core/log.h"
#include "model/gguf_writer.h"

namespace remask::cli {

void add_convert_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("convert", "Convert a model folder to a GGUF file (llama.cpp's layout)");
    auto model_dir = std::make_shared<std::string>();
    auto out_path = std::make_shared<std::string>();
    auto type = std::make_shared<std::string>("bf16");
    cmd->add_option("MODEL_DIR", *model_dir, "Model folder (config.json, safetensors, tokenizer.json)")->required();
    cmd->add_option("OUT", *out_path, "The .gguf file to write")->required();
    cmd->add_option("--type", *type, "Matrix type: f32, f16 or bf16 (norms and biases stay f32)");
    cmd->callback([=] {
        write_gguf_from_folder(*model_dir, *out_path, *type);
        log_info("convert: wrote ", *out_path);
    });
}

}  // namespace remask::cli
