// `remask infill`: fill `<mask:N>` spans of a text with a diffusion model (INTERFACES.md).
//
// SKETCH, not registered: it needs the engine (Model, ModelLogitsSource) and the tokenizer
// (Tokenizer, encode_chat) from their branches. Compiled only when
// REMASK_WIRE_DIFFUSION_COMMANDS is defined; to wire it, remove the guard, declare
// add_infill_command in commands.h and call it in commands.cpp.
#if defined(REMASK_WIRE_DIFFUSION_COMMANDS)

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "core/error.h"
#include "core/settings.h"
#include "core/thread_pool.h"
#include "diffusion/infill.h"
#include "diffusion/infill_json.h"
#include "diffusion/sampler_factory.h"
#include "diffusion/span_markup.h"
#include "model/model.h"
#include "model/model_logits_source.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace remask::cli {

namespace {

struct InfillArgs {
    std::string model_dir;
    std::string text;
    std::string context;
    bool chat = false;
    int64_t slack = 0;
    SamplingOptions sampling;
    uint64_t seed = 0;
    int64_t candidates = 1;
    bool json = false;
    std::string trace_path;
    int64_t threads = 0;
};

// The id of `token` in the tokenizer, or -1.
int32_t id_of(const Tokenizer& tokenizer, const char* token) {
    auto id = tokenizer.token_to_id(token);
    return id ? *id : -1;
}

void run_infill_command(const InfillArgs& a) {
    if (!a.context.empty() && !a.chat) {
        throw UsageError("--context", "needs --chat (the context is the user turn before the text)");
    }
    // Parse the markup first: a bad tag is reported before a model is loaded.
    const std::vector<MarkupSegment> segments = parse_mask_markup(a.text);
    if (count_slots(segments) == 0) {
        throw UsageError("--text", "has no <mask:N> slot to fill");
    }
    if (a.threads > 0) ThreadPool::set_global_threads(size_t(a.threads));

    auto model = Model::load(a.model_dir);
    const ModelConfig& config = model->config();
    const int32_t mask_id = int32_t(config.mask_token_id);
    require_mask_token(mask_id);  // "model: has no mask token ..."
    auto tokenizer = Tokenizer::from_file(a.model_dir + "/tokenizer.json");

    // User text never turns into special tokens (recognize_special = false).
    EncodeFn encode = [&](std::string_view t) { return tokenizer->encode(t, false); };
    DecodeFn decode = [&](const std::vector<int32_t>& ids) { return tokenizer->decode(ids, true); };

    std::vector<int32_t> prefix, suffix;
    std::vector<int32_t> filler;
    for (int64_t id : config.eos_token_ids) filler.push_back(int32_t(id));
    if (config.pad_token_id >= 0) filler.push_back(int32_t(config.pad_token_id));
    if (a.chat) {
        // CHECK when wiring: chat_family_for_model_type expects config.json's model_type.
        const ChatFamily family = chat_family_for_model_type(config.model_type);
        prefix = encode_chat(*tokenizer, family, {ChatMessage{"user", a.context, {}, "", ""}},
                             /*add_generation_prompt=*/true);
        // The assistant turn ends after the text, so the model knows where it stops.
        // CHECK: the end-of-turn marker per family (<|eot_id|> LLaDA/LLaMA-3, <|im_end|> ChatML).
        for (const char* end : {"<|eot_id|>", "<|im_end|>"}) {
            const int32_t id = id_of(*tokenizer, end);
            if (id >= 0) {
                suffix = {id};
                filler.push_back(id);  // an end-of-turn written inside a span is filler too
                break;
            }
        }
    }
    std::vector<InfillPiece> pieces = encode_segments(segments, encode);
    InfillLayout layout = make_infill_layout(prefix, pieces, suffix, a.slack, mask_id);
    const int64_t slots = int64_t(layout.spans.size()) * a.slack + count_masks(segments);
    check_context_budget(int64_t(layout.tokens.size()) - slots, slots, config.max_positions);

    auto sampler = make_sampler(a.sampling);
    ModelLogitsSource source(*model);
    DenoiseOptions options;
    options.mask_id = mask_id;
    options.seed = a.seed;
    options.pool = &ThreadPool::global();
    std::ofstream trace;
    if (!a.trace_path.empty()) {
        trace.open(a.trace_path);
        if (!trace) throw ExternalError(a.trace_path, "cannot open the trace file for writing");
        options.on_step = [&](const StepTrace& step) { trace << trace_json_line(step) << '\n' << std::flush; };
    }
    InfillResult result = run_infill(source, *sampler, layout, a.candidates, filler, options);

    const bool json_lines = a.json || a.candidates > 1;
    for (const InfillCandidate& c : result.candidates) {
        FilledText filled = assemble_filled_text(segments, c.span_tokens, decode);
        if (json_lines) {
            // CHECK: "steps" reports the forward passes taken (<= --steps; threshold mode fewer).
            std::cout << infill_json_line(filled, result.denoise.steps) << '\n';
        } else {
            std::cout << filled.text;  // exactly the text, no trailing newline
        }
    }
    std::cout.flush();
}

}  // namespace

void add_infill_command(CLI::App& app) {
    auto args = std::make_shared<InfillArgs>();
    const DlmSettings defaults;  // the [dlm] defaults, one source of truth
    args->sampling.sampler = defaults.sampler;
    args->sampling.steps = defaults.steps;
    args->sampling.temperature = defaults.temperature;
    args->sampling.block_length = defaults.block_length;
    args->sampling.threshold = defaults.threshold;
    args->threads = defaults.threads;

    CLI::App* cmd = app.add_subcommand("infill", "Fill <mask:N> spans of a text with a diffusion model");
    cmd->add_option("--model", args->model_dir, "Model folder (config.json, safetensors, tokenizer.json)")->required();
    cmd->add_option("--text", args->text, "Text with <mask:N> slots; \\< is a literal <")->required();
    cmd->add_option("--slack", args->slack, "Extra slots per span; filler written there is dropped");
    cmd->add_flag("--chat", args->chat, "Put the text in the assistant turn of the model's chat template");
    cmd->add_option("--context", args->context, "With --chat: the user message before the text");
    cmd->add_option("--steps", args->sampling.steps, "Denoising steps (an upper bound on forward passes)");
    cmd->add_option("--block-length", args->sampling.block_length, "LLaDA blocks; 0 = one block");
    cmd->add_option("--sampler", args->sampling.sampler,
                    "low_confidence | random | origin | maskgit_plus | topk_margin | entropy");
    cmd->add_option("--temperature", args->sampling.temperature, "0 = greedy");
    cmd->add_option("--threshold", args->sampling.threshold, "> 0: confidence-threshold parallel unmasking");
    cmd->add_option("--seed", args->seed, "Random seed (same seed and threads: same output)");
    cmd->add_option("--candidates", args->candidates, "Fill K candidates together (JSON lines)");
    cmd->add_flag("--json", args->json, "JSON lines: {text, spans, steps}");
    cmd->add_option("--trace", args->trace_path, "Write one JSON line per step to this file");
    cmd->add_option("--threads", args->threads, "Worker threads, 0 = all cores");
    cmd->callback([args] { run_infill_command(*args); });
}

}  // namespace remask::cli

#endif  // REMASK_WIRE_DIFFUSION_COMMANDS
