#include "server/model_backend.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <filesystem>

#include "core/error.h"
#include "diffusion/text_diffusion.h"
#include "llm/local_model.h"
#include "model/model.h"
#include "model/model_config.h"
#include "tokenizer/tokenizer.h"

namespace remask {
namespace {

// Requests the model cannot honour are the client's fault: 400, not 500.
template <typename Body>
auto as_bad_request(Body body) {
    try {
        return body();
    } catch (const UsageError& e) {
        throw api::HttpError(400, "invalid_request_error", e.what());
    } catch (const InputError& e) {
        throw api::HttpError(400, "invalid_request_error", e.what());
    }
}

[[noreturn]] void over_bound(const std::string& field, int64_t value, int64_t bound, const std::string& what) {
    throw api::HttpError(400, "invalid_request_error",
                         "'" + field + "': " + std::to_string(value) + " is more than " + std::to_string(bound) + ", " +
                             what);
}

std::string gigabytes(int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GB", static_cast<double>(bytes) / 1e9);
    return text;
}

// 413 when `batch` copies of one sequence do not fit the budget, naming the batch field
// and how many would fit (or the text itself when not even one does).
void check_memory(int64_t budget, int64_t batch, const std::string& batch_field, const std::string& size_field,
                  const std::function<int64_t(int64_t)>& bytes_for_batch) {
    if (budget <= 0) return;
    const int64_t needed = bytes_for_batch(batch);
    if (needed <= budget) return;
    int64_t fits = 0;
    while (fits + 1 < batch && bytes_for_batch(fits + 1) <= budget) ++fits;
    const std::string need = "needs ~" + gigabytes(needed) + " of working memory, over this server's " +
                             gigabytes(budget) + " per request (--max-memory)";
    if (fits == 0)
        throw api::HttpError(413, "request_too_large",
                             "'" + size_field + "': one sequence of this request needs ~" + gigabytes(bytes_for_batch(1)) +
                                 " of working memory, over this server's " + gigabytes(budget) +
                                 " per request (--max-memory); send a shorter one");
    throw api::HttpError(413, "request_too_large", "'" + batch_field + "': " + std::to_string(batch) + " " + need +
                                                       "; at most " + std::to_string(fits) + " fit");
}

// Between denoising steps: stop when nobody waits for the answer.
void stop_if_client_gone(const StepTrace&) {
    if (client_disconnected()) throw ClientGone();
}

}  // namespace

ModelServeBackend::ModelServeBackend(const std::string& dir, const std::string& name, const std::string& quant) {
    name_ = name.empty() ? std::filesystem::path(dir).lexically_normal().filename().string() : name;
    if (name_.empty()) name_ = std::filesystem::absolute(dir).parent_path().filename().string();
    if (read_model_config(dir).causal) {
        ClientOptions options;
        options.use_cache = false;  // a server answers; caching is the caller's choice
        EndpointSettings settings;
        settings.temperature = 0.0;
        causal_ = std::make_unique<LocalLanguageModel>(dir, settings, options);
    } else {
        LoadOptions load;
        load.quant = quant;
        dlm_ = DiffusionLM::load(dir, load);
    }
}

ModelServeBackend::~ModelServeBackend() = default;

const Model& ModelServeBackend::model() const { return dlm_ ? dlm_->model() : causal_->model(); }

int64_t ModelServeBackend::resident_bytes() const {
    const int64_t packed = model().packed_bytes();
    return packed > 0 ? packed : model().weight_bytes();
}

int64_t ModelServeBackend::context_length() const {
    const int64_t configured = model().config().max_positions;
    return configured > 0 ? configured : kDefaultContext;
}

// Tokens of outside text (special tokens not recognized), as the request will be encoded.
int64_t ModelServeBackend::text_tokens(const std::string& text) const {
    const Tokenizer& tokenizer = dlm_ ? dlm_->tokenizer() : causal_->tokenizer();
    return static_cast<int64_t>(tokenizer.encode(text, false).size());
}

nlohmann::json ModelServeBackend::completion_body(const std::vector<std::string>& texts,
                                                  const std::vector<std::string>& finish_reasons,
                                                  int64_t prompt_tokens, int64_t completion_tokens) {
    nlohmann::json choices = nlohmann::json::array();
    for (size_t i = 0; i < texts.size(); ++i) {
        choices.push_back({{"index", i},
                           {"message", {{"role", "assistant"}, {"content", texts[i]}}},
                           {"logprobs", nullptr},
                           {"finish_reason", finish_reasons[i]}});
    }
    auto now = std::chrono::system_clock::now().time_since_epoch();
    return {{"id", "chatcmpl-remask-" + std::to_string(next_id_++)},
            {"object", "chat.completion"},
            {"created", std::chrono::duration_cast<std::chrono::seconds>(now).count()},
            {"model", name_},
            {"choices", choices},
            {"usage",
             {{"prompt_tokens", prompt_tokens},
              {"completion_tokens", completion_tokens},
              {"total_tokens", prompt_tokens + completion_tokens}}}};
}

nlohmann::json ModelServeBackend::chat_completion(const api::ChatCompletionRequest& request) {
    const int64_t context = context_length();
    if (request.max_tokens && *request.max_tokens > context)
        over_bound("max_tokens", *request.max_tokens, context, "the model's context length");
    if (request.steps && *request.steps > context) over_bound("steps", *request.steps, context, "the model's context length");
    int64_t prompt_estimate = 16;  // the template's own tokens
    for (const ChatMessage& message : request.messages) prompt_estimate += text_tokens(message.content) + 8;
    if (prompt_estimate >= context)
        over_bound("messages", prompt_estimate, context - 1, "tokens for the model's context length");
    // Without max_tokens the default shrinks to what the context leaves.
    const int64_t gen_length =
        request.max_tokens.value_or(std::min<int64_t>(causal_ ? 256 : 64, context - prompt_estimate));
    if (prompt_estimate + gen_length > context)
        over_bound("max_tokens", gen_length, std::max<int64_t>(0, context - prompt_estimate),
                   "what the model's context of " + std::to_string(context) + " leaves after ~" +
                       std::to_string(prompt_estimate) + " prompt tokens");
    const Model& m = model();
    const int64_t length = prompt_estimate + gen_length;
    if (causal_) {
        // One sequence at a time; its KV cache holds keys and values of every position.
        const ModelConfig& c = m.config();
        const int64_t kv = 2 * 4 * c.num_layers * c.num_kv_heads * c.head_dim * length;
        check_memory(request_memory_, 1, "n", "max_tokens", [&](int64_t) { return m.activation_bytes(length, 1) + kv; });
    } else {
        // The dual KV cache (the default) keeps every position's keys and values as well.
        const bool dual = request.kv_cache.value_or(SamplingOptions{}.kv_cache) == "dual";
        check_memory(request_memory_, request.n, "n", "max_tokens",
                     [&](int64_t n) { return m.activation_bytes(n * length, n * gen_length, dual); });
    }

    std::vector<std::string> texts, reasons;
    int64_t prompt_tokens = 0, completion_tokens = 0;
    if (causal_) {
        for (int64_t i = 0; i < request.n; ++i) {
            ChatRequest chat;
            chat.messages = request.messages;
            chat.temperature = request.temperature.value_or(0.0);
            chat.top_p = request.top_p;
            chat.max_tokens = gen_length;
            chat.seed = request.seed.value_or(0);
            chat.stop = request.stop;
            chat.sample_index = static_cast<int>(i);
            ChatResponse reply = as_bad_request([&] { return causal_->chat(chat); });
            texts.push_back(reply.message.content);
            reasons.push_back(reply.finish_reason);
            prompt_tokens = reply.usage.prompt_tokens;
            completion_tokens += reply.usage.completion_tokens;
        }
        return completion_body(texts, reasons, prompt_tokens, completion_tokens);
    }
    ChatGenerationRequest generation;
    generation.messages = request.messages;
    generation.on_step = stop_if_client_gone;
    generation.generation.gen_length = gen_length;
    generation.generation.block_length = request.block_length.value_or(gen_length);
    generation.generation.steps = request.steps.value_or(gen_length);
    generation.sampling.sampler = request.sampler.value_or(generation.sampling.sampler);
    generation.sampling.temperature = request.temperature.value_or(0.0);
    generation.sampling.top_p = request.top_p.value_or(1.0);
    generation.sampling.top_k = request.top_k.value_or(0);
    generation.sampling.kv_cache = request.kv_cache.value_or(generation.sampling.kv_cache);
    generation.sampling.kv_refresh = request.kv_refresh.value_or(generation.sampling.kv_refresh);
    generation.seed = static_cast<uint64_t>(request.seed.value_or(0));
    generation.candidates = request.n;
    ChatGenerationResult result = as_bad_request([&] { return generate_chat(*dlm_, generation); });
    for (size_t i = 0; i < result.texts.size(); ++i) {
        std::string text = result.texts[i];
        std::string reason = result.completion_tokens[i] < gen_length ? "stop" : "length";
        for (const std::string& stop : request.stop) {
            size_t at = stop.empty() ? std::string::npos : text.find(stop);
            if (at != std::string::npos) {
                text.resize(at);
                reason = "stop";
            }
        }
        texts.push_back(text);
        reasons.push_back(reason);
        completion_tokens += result.completion_tokens[i];
    }
    return completion_body(texts, reasons, result.prompt_tokens, completion_tokens);
}

api::InfillHttpResponse ModelServeBackend::infill(const api::InfillHttpRequest& request) {
    if (!dlm_)
        throw api::HttpError(404, "not_found", "model '" + name_ + "' is causal; /v1/infill needs a diffusion model");
    const int64_t context = context_length();
    if (request.steps > context) over_bound("steps", request.steps, context, "the model's context length");
    if (request.slack > context) over_bound("slack", request.slack, context, "the model's context length");
    const std::vector<MarkupSegment> segments = parse_mask_markup(request.text, "text");
    const int64_t slots = count_slots(segments);
    const int64_t masked = count_masks(segments) + slots * request.slack;
    if (slots > context) over_bound("text", slots, context, "<mask:N> slots for the model's context length");
    if (masked > context)
        over_bound("text", masked, context, "masked tokens (slots with slack) for the model's context length");
    const int64_t length = text_tokens(request.text) + text_tokens(request.context) + 32 + masked;
    if (length > context)
        over_bound("text", length, context, "tokens (text, context and slots) for the model's context length");
    const Model& m = model();
    check_memory(request_memory_, request.candidates, "candidates", "text",
                 [&](int64_t c) { return m.activation_bytes(c * length, c * masked, request.kv_cache == "dual"); });

    TextInfillRequest infill;
    infill.on_step = stop_if_client_gone;
    infill.text = request.text;
    infill.context = request.context;
    infill.chat = !request.context.empty();
    infill.slack = request.slack;
    infill.sampling.sampler = request.sampler;
    infill.sampling.steps = request.steps;
    infill.sampling.temperature = request.temperature;
    infill.sampling.threshold = request.threshold;
    infill.sampling.block_length = request.block_length;
    infill.sampling.kv_cache = request.kv_cache;
    infill.sampling.kv_refresh = request.kv_refresh;
    infill.seed = static_cast<uint64_t>(request.seed.value_or(0));
    infill.candidates = request.candidates;
    TextInfillResult result = as_bad_request([&] { return infill_text(*dlm_, infill); });
    api::InfillHttpResponse response;
    for (const FilledText& filled : result.candidates) {
        api::InfillHttpCandidate candidate;
        candidate.text = filled.text;
        for (const FilledSpan& span : filled.spans)
            candidate.spans.push_back({static_cast<int64_t>(span.start), static_cast<int64_t>(span.end), span.filled});
        response.candidates.push_back(std::move(candidate));
    }
    response.forward_passes = result.forward_passes;
    response.tokens = result.tokens * request.candidates;
    return response;
}

}  // namespace remask
