#include "diffusion/text_diffusion.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/thread_pool.h"
#include "diffusion/sampler_factory.h"
#include "model/model_tokenizer.h"
#include "model/model.h"
#include "model/model_logits_source.h"
#include "tokenizer/tokenizer.h"

namespace remask {

std::unique_ptr<DiffusionLM> DiffusionLM::load(const std::string& dir, const LoadOptions& options) {
    std::unique_ptr<DiffusionLM> dlm(new DiffusionLM());
    dlm->dir_ = dir;
    auto tokenizer = load_model_tokenizer(dir);  // before the weights: fail fast
    dlm->model_ = Model::load(dir, options);
    const ModelConfig& config = dlm->model_->config();
    if (config.causal)
        throw InputError(dir, "is a causal model (" + config.model_type + "); diffusion needs LLaDA or Dream");
    dlm->mask_id_ = static_cast<int32_t>(config.mask_token_id);
    require_mask_token(dlm->mask_id_);
    dlm->tokenizer_ = std::move(tokenizer);
    dlm->family_ = chat_family_for_model_type(config.model_type);
    for (int64_t id : config.eos_token_ids) dlm->filler_.push_back(static_cast<int32_t>(id));
    if (config.pad_token_id >= 0) dlm->filler_.push_back(static_cast<int32_t>(config.pad_token_id));
    if (auto id = dlm->tokenizer_->token_to_id(end_of_turn_marker(dlm->family_))) {
        dlm->end_of_turn_ = *id;
        dlm->filler_.push_back(*id);
    }
    return dlm;
}

DiffusionLM::~DiffusionLM() = default;

TextInfillResult infill_text(DiffusionLM& dlm, const TextInfillRequest& request) {
    if (!request.context.empty() && !request.chat)
        throw UsageError("context", "needs chat mode (the context is the user turn before the text)");
    const std::vector<MarkupSegment> segments = parse_mask_markup(request.text, "text");
    if (count_slots(segments) == 0) throw InputError("text", "has no <mask:N> slot to fill");
    if (request.candidates < 1) throw InputError("candidates", "must be at least 1");

    const Tokenizer& tokenizer = dlm.tokenizer();
    // Outside text never becomes special tokens (recognize_special = false).
    EncodeFn encode = [&](std::string_view t) { return tokenizer.encode(t, false); };
    DecodeFn decode = [&](const std::vector<int32_t>& ids) { return tokenizer.decode(ids, true); };

    std::vector<int32_t> prefix, suffix;
    if (request.chat) {
        prefix = encode_chat(tokenizer, dlm.family(), {ChatMessage{"user", request.context, {}, "", ""}},
                             /*add_generation_prompt=*/true);
        // The turn ends after the text, so the model sees where the answer stops.
        if (dlm.end_of_turn_id() >= 0) suffix = {dlm.end_of_turn_id()};
    }
    if (request.slack < 0) throw InputError("slack", "must not be negative");
    // Checked before the layout is built: slots and slack are allocated there.
    const int64_t max_length = dlm.model().config().max_positions;
    const int64_t slack = max_length > 0 ? std::min(request.slack, max_length + 1) : request.slack;
    const int64_t slots = count_slots(segments) * slack + count_masks(segments);
    check_context_budget(static_cast<int64_t>(prefix.size() + suffix.size()), slots, max_length, "text");
    std::vector<InfillPiece> pieces = encode_segments(segments, encode);
    InfillLayout layout = make_infill_layout(prefix, pieces, suffix, request.slack, dlm.mask_id());
    check_context_budget(static_cast<int64_t>(layout.tokens.size()) - slots, slots, max_length, "text");

    auto sampler = make_sampler(request.sampling);
    DenoiseOptions options;
    options.mask_id = dlm.mask_id();
    options.seed = request.seed;
    options.pool = &ThreadPool::global();
    options.on_step = request.on_step;
    options.dual_kv_cache = request.sampling.kv_cache == "dual";
    options.kv_refresh = request.sampling.kv_refresh;

    std::lock_guard<std::mutex> lock(dlm.mutex());
    ModelLogitsSource source(dlm.model());
    InfillResult infilled = run_infill(source, *sampler, layout, request.candidates, dlm.filler_ids(), options);
    TextInfillResult result;
    for (const InfillCandidate& candidate : infilled.candidates)
        result.candidates.push_back(assemble_filled_text(segments, candidate.span_tokens, decode));
    result.forward_passes = infilled.denoise.steps;
    result.full_forwards = infilled.denoise.full_forwards;
    result.tokens = static_cast<int64_t>(layout.tokens.size());
    return result;
}

ChatGenerationResult generate_chat(DiffusionLM& dlm, const ChatGenerationRequest& request) {
    check_generation_options(request.generation);
    const Tokenizer& tokenizer = dlm.tokenizer();
    const std::vector<int32_t> prompt =
        encode_chat(tokenizer, dlm.family(), request.messages, /*add_generation_prompt=*/true);
    check_context_budget(static_cast<int64_t>(prompt.size()), request.generation.gen_length,
                         dlm.model().config().max_positions, "messages");

    SamplingOptions sampling = request.sampling;
    sampling.steps = request.generation.steps;
    sampling.block_length = request.generation.block_length;
    auto sampler = make_sampler(sampling);
    DenoiseOptions options;
    options.mask_id = dlm.mask_id();
    options.seed = request.seed;
    options.cfg_scale = request.cfg_scale;
    options.pool = &ThreadPool::global();
    options.on_step = request.on_step;
    options.dual_kv_cache = sampling.kv_cache == "dual";
    options.kv_refresh = sampling.kv_refresh;
    if (request.forbid_end_of_text) {
        for (int64_t id : dlm.model().config().eos_token_ids) options.forbidden_tokens.push_back(static_cast<int32_t>(id));
    }
    std::vector<int32_t> stops = dlm.filler_ids();

    std::lock_guard<std::mutex> lock(dlm.mutex());
    ModelLogitsSource source(dlm.model());
    GenerationResult generated =
        run_generation(source, *sampler, prompt, request.generation.gen_length, request.candidates, stops, options);
    ChatGenerationResult result;
    result.prompt_tokens = static_cast<int64_t>(prompt.size());
    result.forward_passes = generated.denoise.steps;
    result.full_forwards = generated.denoise.full_forwards;
    for (const auto& text : generated.texts) {
        result.texts.push_back(tokenizer.decode(text, /*skip_special=*/true));
        result.completion_tokens.push_back(static_cast<int64_t>(text.size()));
    }
    return result;
}

}  // namespace remask
