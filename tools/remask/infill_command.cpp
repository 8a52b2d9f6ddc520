// `remask infill`: fill `<mask:N>` spans of a text with a diffusion model (INTERFACES.md).

#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "core/error.h"
#include "core/settings.h"
#include "core/thread_pool.h"
#include "diffusion/infill_json.h"
#include "diffusion/text_diffusion.h"

namespace remask::cli {
namespace {

struct InfillArgs {
    std::string model_dir;
    TextInfillRequest request;
    bool json = false;
    std::string trace_path;
    int64_t threads = 0;
    LoadOptions load;
};

void run_infill_command(InfillArgs& a) {
    if (!a.request.context.empty() && !a.request.chat)
        throw UsageError("--context", "needs --chat (the context is the user turn before the text)");
    // A bad tag is reported before a model is loaded.
    if (count_slots(parse_mask_markup(a.request.text)) == 0)
        throw UsageError("--text", "has no <mask:N> slot to fill");
    if (a.threads > 0) ThreadPool::set_global_threads(static_cast<size_t>(a.threads));
    auto dlm = DiffusionLM::load(a.model_dir, a.load);

    std::ofstream trace;
    if (!a.trace_path.empty()) {
        trace.open(a.trace_path);
        if (!trace) throw ExternalError(a.trace_path, "cannot open the trace file for writing");
        a.request.on_step = [&](const StepTrace& step) { trace << trace_json_line(step) << '\n' << std::flush; };
    }
    TextInfillResult result = infill_text(*dlm, a.request);
    const bool json_lines = a.json || a.request.candidates > 1;
    for (const FilledText& filled : result.candidates) {
        if (json_lines)
            std::cout << infill_json_line(filled, result.forward_passes) << '\n';
        else
            std::cout << filled.text;  // exactly the text, no trailing newline
    }
    std::cout.flush();
}

}  // namespace

void add_infill_command(CLI::App& app) {
    auto args = std::make_shared<InfillArgs>();
    const DlmSettings defaults;  // the [dlm] defaults: one source of truth
    SamplingOptions& s = args->request.sampling;
    s.sampler = defaults.sampler;
    s.steps = defaults.steps;
    s.temperature = defaults.temperature;
    s.block_length = defaults.block_length;
    s.threshold = defaults.threshold;
    s.kv_cache = defaults.kv_cache;
    s.kv_refresh = defaults.kv_refresh;
    args->load.compute = defaults.compute;

    CLI::App* cmd = app.add_subcommand("infill", "Fill <mask:N> spans of a text with a diffusion model");
    cmd->add_option("--model", args->model_dir, "Model folder (config.json, safetensors, tokenizer.json) or .gguf file")->required();
    cmd->add_option("--text", args->request.text, "Text with <mask:N> slots; \\< is a literal <")->required();
    cmd->add_option("--slack", args->request.slack, "Extra slots per span; filler written there is dropped");
    cmd->add_flag("--chat", args->request.chat, "Put the text in the assistant turn of the model's chat template");
    cmd->add_option("--context", args->request.context, "With --chat: the user message before the text");
    cmd->add_option("--steps", s.steps, "Denoising steps (an upper bound on forward passes)");
    cmd->add_option("--block-length", s.block_length, "Semi-autoregressive blocks; 0 = one block");
    cmd->add_option("--sampler", s.sampler, "low_confidence | random | origin | maskgit_plus | topk_margin | entropy");
    cmd->add_option("--temperature", s.temperature, "Sampling temperature; 0 = greedy");
    cmd->add_option("--threshold", s.threshold, "> 0: confidence-threshold parallel unmasking");
    cmd->add_option("--seed", args->request.seed, "Random seed (same seed and threads: same output)");
    cmd->add_option("--candidates", args->request.candidates, "Fill K candidates together (JSON lines)");
    cmd->add_flag("--json", args->json, "JSON lines: {text, spans, steps}");
    cmd->add_option("--trace", args->trace_path, "Write one JSON line per step to this file");
    cmd->add_option("--threads", args->threads, "Worker threads, 0 = all cores");
    cmd->add_option("--quant", args->load.quant, "none | int8 (weights quantized at load)")
        ->check(CLI::IsMember({"none", "int8"}));
    cmd->add_option("--kv-cache", s.kv_cache, "dual | none: reuse keys/values of the positions not being filled")
        ->check(CLI::IsMember({"dual", "none"}));
    cmd->add_option("--kv-refresh", s.kv_refresh, "With --kv-cache dual: steps between full forwards")
        ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
    cmd->add_option("--compute", args->load.compute, "auto (fastest measured here) | f32 | bf16")
        ->check(CLI::IsMember({"auto", "f32", "bf16"}));
    cmd->callback([args] { run_infill_command(*args); });
}

}  // namespace remask::cli
