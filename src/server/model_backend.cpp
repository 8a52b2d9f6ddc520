#include "server/model_backend.h"

#include <chrono>
#include <filesystem>

#include "core/error.h"
#include "diffusion/text_diffusion.h"
#include "llm/local_model.h"
#include "model/model_config.h"

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
    std::vector<std::string> texts, reasons;
    int64_t prompt_tokens = 0, completion_tokens = 0;
    if (causal_) {
        for (int64_t i = 0; i < request.n; ++i) {
            ChatRequest chat;
            chat.messages = request.messages;
            chat.temperature = request.temperature.value_or(0.0);
            chat.top_p = request.top_p;
            chat.max_tokens = request.max_tokens.value_or(256);
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
    const int64_t gen_length = request.max_tokens.value_or(64);
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
    TextInfillRequest infill;
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
