#include "optimize/dlm_infillers.h"

#include <httplib.h>

#include <cmath>
#include <cstdlib>

#include "core/error.h"
#include "diffusion/text_diffusion.h"
#include "model/model.h"
#include "optimize/replica_pool.h"
#include "server/api_schema.h"
#include "tokenizer/tokenizer.h"

namespace remask::optimize {
namespace {

// A candidate from filled text and its spans (the markup assembler's or the server's; both
// carry start, end and filled).
template <typename Spans>
InfillCandidate to_candidate(const std::string& text, const Spans& spans) {
    InfillCandidate candidate;
    candidate.text = text;
    for (const auto& span : spans)
        candidate.spans.push_back({static_cast<size_t>(span.start), static_cast<size_t>(span.end), span.filled});
    return candidate;
}

SamplingOptions sampling_of(const DlmSettings& settings, const InfillRequest& request) {
    SamplingOptions sampling;
    sampling.sampler = settings.sampler;
    sampling.steps = request.steps;
    sampling.temperature = request.temperature;
    sampling.block_length = settings.block_length;
    sampling.threshold = settings.threshold;
    sampling.kv_cache = settings.kv_cache;
    sampling.kv_refresh = settings.kv_refresh;
    return sampling;
}

}  // namespace

std::string segments_to_markup(const std::vector<PromptSegment>& segments) {
    std::string markup;
    for (const PromptSegment& segment : segments) {
        if (segment.masked()) {
            markup += "<mask:" + std::to_string(segment.slots) + ">";
            continue;
        }
        markup += escape_markup_text(segment.text);
    }
    return markup;
}

InProcessInfiller::InProcessInfiller(std::shared_ptr<DiffusionLM> dlm, DlmSettings settings)
    : dlm_(std::move(dlm)), settings_(std::move(settings)) {}

InfillResult InProcessInfiller::infill(const InfillRequest& request) {
    TextInfillRequest text;
    text.text = segments_to_markup(request.segments);
    text.chat = true;  // the prompt sits in the response slot, as instruct DLMs were tuned
    text.context = request.context;
    text.sampling = sampling_of(settings_, request);
    text.seed = request.seed;
    text.candidates = request.candidates;
    TextInfillResult filled = infill_text(*dlm_, text);
    InfillResult result;
    for (const FilledText& candidate : filled.candidates)
        result.candidates.push_back(to_candidate(candidate.text, candidate.spans));
    result.forward_passes = filled.forward_passes;
    result.tokens = filled.tokens * request.candidates;
    return result;
}

RemoteInfiller::RemoteInfiller(DlmSettings settings) : settings_(std::move(settings)) {
    std::vector<std::string> urls = settings_.urls.empty() ? std::vector<std::string>{settings_.url} : settings_.urls;
    ReplicaPool::Options options;
    options.timeout_s = settings_.timeout_s;
    replicas_ = std::make_unique<ReplicaPool>(urls, options);
    if (settings_.api_key_env.empty()) return;
    const char* key = std::getenv(settings_.api_key_env.c_str());
    if (key == nullptr || *key == '\0')
        throw UsageError("[dlm] api_key_env", "environment variable " + settings_.api_key_env + " is not set or empty");
    api_key_ = key;
}

RemoteInfiller::~RemoteInfiller() = default;

InfillResult RemoteInfiller::infill(const InfillRequest& request) {
    api::InfillHttpRequest body;
    body.text = segments_to_markup(request.segments);
    body.context = request.context;
    body.steps = request.steps;
    body.sampler = settings_.sampler;
    body.temperature = request.temperature;
    body.seed = static_cast<int64_t>(request.seed & 0x7fffffffffffffffULL);
    body.candidates = request.candidates;
    body.threshold = settings_.threshold;
    body.block_length = settings_.block_length;
    body.kv_cache = settings_.kv_cache;
    body.kv_refresh = settings_.kv_refresh;

    httplib::Headers headers;
    if (!api_key_.empty()) headers.emplace("Authorization", "Bearer " + api_key_);
    ReplicaPool::Reply reply;
    try {
        reply = replicas_->post("/v1/infill", api::to_json(body).dump(), headers);
    } catch (const ExternalError& e) {
        // A 401 is the same on every replica: say which setting fixes it.
        if (e.detail().find("HTTP 401") == std::string::npos) throw;
        throw ExternalError(e.subject(), e.detail() + (api_key_.empty() ? " (the server wants a key: set [dlm] api_key_env)"
                                                                      : " (check the key in " + settings_.api_key_env + ")"));
    }
    api::InfillHttpResponse parsed;
    try {
        parsed = api::parse_infill_response(nlohmann::json::parse(reply.body));
    } catch (const std::exception& e) {
        throw ExternalError(reply.replica + "/v1/infill", e.what());
    }
    InfillResult result;
    for (const auto& candidate : parsed.candidates)
        result.candidates.push_back(to_candidate(candidate.text, candidate.spans));
    result.forward_passes = parsed.forward_passes;
    result.tokens = parsed.tokens;
    result.replica = reply.replica;
    result.attempts = reply.attempts;
    return result;
}

PseudoLikelihoodScorer::PseudoLikelihoodScorer(std::shared_ptr<DiffusionLM> dlm, int64_t passes)
    : dlm_(std::move(dlm)), passes_(std::max<int64_t>(1, passes)) {}

TokenScorer::Result PseudoLikelihoodScorer::score(const std::string& context, const std::vector<std::string>& tokens) {
    const Tokenizer& tokenizer = dlm_->tokenizer();
    std::string prompt;
    std::vector<size_t> token_end;  // byte end of each splitter token
    for (const std::string& t : tokens) {
        prompt += t;
        token_end.push_back(prompt.size());
    }
    std::vector<int32_t> prefix =
        encode_chat(tokenizer, dlm_->family(), {ChatMessage{"user", context, {}, "", ""}}, true);
    std::vector<int32_t> ids = tokenizer.encode(prompt, /*recognize_special=*/false);
    // Byte end of each DLM token in the prompt (incomplete UTF-8 joins the next token).
    std::vector<size_t> id_end(ids.size());
    {
        StreamingDecoder decoder(tokenizer);
        size_t at = 0;
        for (size_t i = 0; i < ids.size(); ++i) {
            at += decoder.push(ids[i]).size();
            id_end[i] = at;
        }
    }
    std::vector<int32_t> sequence = prefix;
    sequence.insert(sequence.end(), ids.begin(), ids.end());
    if (dlm_->end_of_turn_id() >= 0) sequence.push_back(dlm_->end_of_turn_id());

    std::vector<double> id_logprob(ids.size(), 0.0);
    Result result;
    std::lock_guard<std::mutex> lock(dlm_->mutex());
    Model& model = dlm_->model();
    const int64_t vocab = model.vocab_size();
    std::vector<float> logits;
    for (int64_t pass = 0; pass < passes_ && !ids.empty(); ++pass) {
        std::vector<int32_t> masked = sequence;
        std::vector<int64_t> rows;
        for (size_t i = static_cast<size_t>(pass); i < ids.size(); i += static_cast<size_t>(passes_)) {
            rows.push_back(static_cast<int64_t>(prefix.size() + i));
            masked[prefix.size() + i] = dlm_->mask_id();
        }
        if (rows.empty()) continue;
        model.forward({masked}, rows, logits);
        ++result.forward_passes;
        for (size_t r = 0; r < rows.size(); ++r) {
            const float* row = logits.data() + r * vocab;
            float max = row[0];
            for (int64_t v = 1; v < vocab; ++v) max = std::max(max, row[v]);
            double sum = 0.0;
            for (int64_t v = 0; v < vocab; ++v) sum += std::exp(double(row[v]) - max);
            size_t i = static_cast<size_t>(rows[r]) - prefix.size();
            id_logprob[i] = double(row[ids[i]]) - max - std::log(sum);
        }
    }
    // A splitter token scores the mean log-probability of the DLM tokens ending inside it.
    result.scores.assign(tokens.size(), 0.0);
    std::vector<int> counts(tokens.size(), 0);
    size_t t = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
        while (t + 1 < tokens.size() && id_end[i] > token_end[t]) ++t;
        if (tokens.empty()) break;
        result.scores[t] += id_logprob[i];
        counts[t]++;
    }
    for (size_t k = 0; k < tokens.size(); ++k)
        if (counts[k] > 0) result.scores[k] /= counts[k];
    return result;
}

}  // namespace remask::optimize
