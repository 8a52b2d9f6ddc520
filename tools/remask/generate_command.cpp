// `remask generate --model DIR --prompt TEXT [--gen-length N --block-length B --steps S]`:
// diffusion generation with LLaDA / Dream (prompt + gen_length masked slots).
//
// SKETCH, not registered: it needs the engine and the tokenizer from their branches.
// Compiled only when REMASK_WIRE_DIFFUSION_COMMANDS is defined; to wire it, remove the
// guard, declare add_generate_command in commands.h and call it in commands.cpp. Causal
// models (token-by-token with the KV cache) are not covered here.
#if defined(REMASK_WIRE_DIFFUSION_COMMANDS)

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "core/error.h"
#include "core/thread_pool.h"
#include "diffusion/infill.h"
#include "diffusion/sampler_factory.h"
#include "model/model.h"
#include "model/model_logits_source.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace remask::cli {

namespace {

struct GenerateArgs {
    std::string model_dir;
    std::string prompt;
    GenerationOptions generation;
    SamplingOptions sampling;
    double cfg_scale = 0.0;
    bool forbid_eos = false;
    uint64_t seed = 0;
    int64_t threads = 0;
};

void run_generate_command(GenerateArgs a) {
    check_generation_options(a.generation);  // the reference's gen/block/steps rules
    if (a.threads > 0) ThreadPool::set_global_threads(size_t(a.threads));
    auto model = Model::load(a.model_dir);
    const ModelConfig& config = model->config();
    if (config.causal) {
        throw UsageError("--model", "is a causal model; diffusion generation needs LLaDA or Dream "
                                    "(token-by-token generation is not wired yet)");
    }
    const int32_t mask_id = int32_t(config.mask_token_id);
    require_mask_token(mask_id);
    auto tokenizer = Tokenizer::from_file(a.model_dir + "/tokenizer.json");
    const ChatFamily family = chat_family_for_model_type(config.model_type);
    const std::vector<int32_t> prompt =
        encode_chat(*tokenizer, family, {ChatMessage{"user", a.prompt, {}, "", ""}}, true);
    check_context_budget(int64_t(prompt.size()), a.generation.gen_length, config.max_positions, "--prompt");

    a.sampling.steps = a.generation.steps;
    a.sampling.block_length = a.generation.block_length;
    auto sampler = make_sampler(a.sampling);
    ModelLogitsSource source(*model);
    DenoiseOptions options;
    options.mask_id = mask_id;
    options.seed = a.seed;
    options.cfg_scale = a.cfg_scale;
    options.pool = &ThreadPool::global();
    std::vector<int32_t> stops;
    for (int64_t id : config.eos_token_ids) stops.push_back(int32_t(id));
    for (const char* end : {"<|eot_id|>", "<|im_end|>", "<|endoftext|>"}) {
        if (auto id = tokenizer->token_to_id(end)) stops.push_back(*id);
    }
    if (a.forbid_eos) {
        // LLaDA's logits_eos_inf: forbid end-of-text in the answer.
        for (int64_t id : config.eos_token_ids) options.forbidden_tokens.push_back(int32_t(id));
    }
    GenerationResult result = run_generation(source, *sampler, prompt, a.generation.gen_length, 1, stops, options);
    std::cout << tokenizer->decode(result.texts[0], /*skip_special=*/true) << '\n';
}

}  // namespace

void add_generate_command(CLI::App& app) {
    auto args = std::make_shared<GenerateArgs>();
    // MODELS.md: LLaDA's reference chat settings (steps 128, gen 128, block 32, greedy).
    args->generation = {128, 32, 128};
    CLI::App* cmd = app.add_subcommand("generate", "Generate an answer with a diffusion model");
    cmd->add_option("--model", args->model_dir, "Model folder")->required();
    cmd->add_option("--prompt", args->prompt, "The user message")->required();
    cmd->add_option("--gen-length", args->generation.gen_length, "Answer slots");
    cmd->add_option("--block-length", args->generation.block_length, "Semi-autoregressive block, 0 = one block");
    cmd->add_option("--steps", args->generation.steps, "Denoising steps");
    cmd->add_option("--sampler", args->sampling.sampler, "low_confidence | random | origin | maskgit_plus | ...");
    cmd->add_option("--temperature", args->sampling.temperature, "0 = greedy");
    cmd->add_option("--threshold", args->sampling.threshold, "> 0: confidence-threshold parallel unmasking");
    cmd->add_option("--cfg-scale", args->cfg_scale, "Classifier-free guidance scale (0 = off)");
    cmd->add_flag("--forbid-eos", args->forbid_eos, "Never write end-of-text in the answer (logits_eos_inf)");
    cmd->add_option("--seed", args->seed, "Random seed");
    cmd->add_option("--threads", args->threads, "Worker threads, 0 = all cores");
    cmd->callback([args] { run_generate_command(*args); });
}

}  // namespace remask::cli

#endif  // REMASK_WIRE_DIFFUSION_COMMANDS
