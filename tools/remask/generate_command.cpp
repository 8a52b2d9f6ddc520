// `remask generate`: an answer to one user message, by diffusion (LLaDA, Dream) or token by
// token with the KV cache (causal Qwen2 / LLaMA).

#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "diffusion/text_diffusion.h"
#include "llm/local_model.h"
#include "model/model_config.h"


namespace remask::cli {
namespace {

struct GenerateArgs {
    std::string model_dir;
    std::string prompt;
    std::string system;
    ChatGenerationRequest diffusion;
    double top_p = 1.0;
    int64_t top_k = 0;
    int64_t max_tokens = 128;
    std::vector<std::string> stop;
    int64_t threads = 0;
    LoadOptions load;
};

void run_generate_command(GenerateArgs& a) {
    if (a.threads > 0) ThreadPool::set_global_threads(static_cast<size_t>(a.threads));
    std::vector<ChatMessage> messages;
    if (!a.system.empty()) messages.push_back({"system", a.system, {}, "", ""});
    messages.push_back({"user", a.prompt, {}, "", ""});

    if (read_model_config(a.model_dir).causal) {  // config.json only: load the folder once
        ClientOptions options;
        options.use_cache = false;
        EndpointSettings settings;
        LocalLanguageModel model(a.model_dir, settings, options);
        ChatRequest request;
        request.messages = messages;
        request.temperature = a.diffusion.sampling.temperature;
        request.top_p = a.top_p;
        request.max_tokens = a.max_tokens;
        request.seed = static_cast<int64_t>(a.diffusion.seed);
        request.stop = a.stop;
        std::cout << model.chat(request).message.content << '\n';
        return;
    }
    a.diffusion.messages = messages;
    a.diffusion.sampling.top_p = a.top_p;
    a.diffusion.sampling.top_k = a.top_k;
    check_generation_options(a.diffusion.generation);  // before the model is loaded
    auto dlm = DiffusionLM::load(a.model_dir, a.load);
    std::cout << generate_chat(*dlm, a.diffusion).texts.at(0) << '\n';
}

}  // namespace

void add_generate_command(CLI::App& app) {
    auto args = std::make_shared<GenerateArgs>();
    // MODELS.md: LLaDA's reference chat settings (steps 128, gen 128, block 32, greedy).
    args->diffusion.generation = {128, 32, 128};
    args->diffusion.sampling.temperature = 0.0;
    CLI::App* cmd = app.add_subcommand("generate", "Answer a message: diffusion (LLaDA, Dream) or causal generation");
    cmd->add_option("--model", args->model_dir, "Model folder or .gguf file")->required();
    cmd->add_option("--prompt", args->prompt, "The user message")->required();
    cmd->add_option("--system", args->system, "An optional system message");
    cmd->add_option("--gen-length", args->diffusion.generation.gen_length, "Diffusion: answer slots");
    cmd->add_option("--block-length", args->diffusion.generation.block_length, "Diffusion: block, 0 = one block");
    cmd->add_option("--steps", args->diffusion.generation.steps, "Diffusion: denoising steps");
    cmd->add_option("--sampler", args->diffusion.sampling.sampler, "Diffusion: low_confidence | random | origin | ...");
    cmd->add_option("--threshold", args->diffusion.sampling.threshold, "Diffusion: confidence-threshold unmasking");
    cmd->add_option("--cfg-scale", args->diffusion.cfg_scale, "Diffusion: classifier-free guidance (0 = off)");
    cmd->add_flag("--forbid-eos", args->diffusion.forbid_end_of_text, "Diffusion: never write end-of-text");
    cmd->add_option("--max-tokens", args->max_tokens, "Causal: most new tokens");
    cmd->add_option("--stop", args->stop, "Causal: stop strings");
    cmd->add_option("--temperature", args->diffusion.sampling.temperature, "0 = greedy");
    cmd->add_option("--top-p", args->top_p, "Nucleus sampling");
    cmd->add_option("--top-k", args->top_k, "Diffusion (Dream samplers): keep the k most likely tokens (0 = all)");
    cmd->add_option("--seed", args->diffusion.seed, "Random seed");
    cmd->add_option("--threads", args->threads, "Worker threads, 0 = all cores");
    cmd->add_option("--quant", args->load.quant, "none | int8 (diffusion model weights quantized at load)")
        ->check(CLI::IsMember({"none", "int8"}));
    cmd->add_option("--kv-cache", args->diffusion.sampling.kv_cache,
                    "Diffusion: dual | none (prompt and finished blocks cached)")
        ->check(CLI::IsMember({"dual", "none"}));
    cmd->add_option("--kv-refresh", args->diffusion.sampling.kv_refresh,
                    "Diffusion, --kv-cache dual: steps between full forwards (and at every block)")
        ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
    cmd->add_option("--compute", args->load.compute, "auto (fastest measured here) | f32 | bf16")
        ->check(CLI::IsMember({"auto", "f32", "bf16"}));
    cmd->callback([args] { run_generate_command(*args); });
}

}  // namespace remask::cli
