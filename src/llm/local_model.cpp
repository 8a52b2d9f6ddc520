#include "llm/local_model.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "llm/causal_generation.h"
#include "llm/chat_json.h"
#include "model/model_tokenizer.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace remask {

std::vector<int32_t> answer_end_ids(const Tokenizer& tokenizer, ChatFamily family,
                                    const std::vector<int64_t>& config_eos_ids) {
    std::vector<int32_t> ids;
    for (int64_t id : config_eos_ids) ids.push_back(static_cast<int32_t>(id));
    if (auto id = tokenizer.token_to_id(end_of_turn_marker(family))) ids.push_back(*id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

LocalLanguageModel::LocalLanguageModel(const std::string& dir, const EndpointSettings& defaults,
                                       const ClientOptions& options)
    : dir_(dir), defaults_(defaults), options_(options) {
    accounting_ = options.accounting ? options.accounting : std::make_shared<Accounting>();
    if (options.use_cache)
        cache_ = CallCache::open_shared(options.cache_path.empty() ? default_cache_path() : options.cache_path);
    auto tokenizer = load_model_tokenizer(dir);  // before the weights: fail fast
    model_ = Model::load(dir);
    if (!model_->config().causal)
        throw InputError(dir, "is a diffusion model (" + model_->config().model_type +
                                  "); a local target must be a causal model such as Qwen2 or LLaMA");
    tokenizer_ = std::move(tokenizer);
    family_ = chat_family_for_model_type(model_->config().model_type);
    // The cache key names the folder's absolute path, so two models never share answers.
    keyed_ = defaults_;
    keyed_.model = std::filesystem::absolute(dir_).lexically_normal().string();
    end_ids_ = answer_end_ids(*tokenizer_, family_, model_->config().eos_token_ids);
}

LocalLanguageModel::~LocalLanguageModel() = default;

std::string LocalLanguageModel::describe() const { return "local:" + dir_; }

ChatResponse LocalLanguageModel::chat(const ChatRequest& request) {
    if (request.messages.empty()) throw InputError("messages", "must not be empty");
    std::vector<int32_t> prompt = encode_chat(*tokenizer_, family_, request.messages, /*add_generation_prompt=*/true);
    CausalGenerationOptions options;
    options.sampling.temperature = request.temperature.value_or(defaults_.temperature);
    options.sampling.top_p = request.top_p.value_or(1.0);
    options.seed = static_cast<uint64_t>(request.seed.value_or(0));
    options.max_new_tokens = request.max_tokens.value_or(defaults_.max_tokens);
    options.end_ids = end_ids_;
    options.stop_strings = request.stop;
    options.sample_index = request.sample_index;

    std::string key = cache_key("local:" + keyed_.model, chat_request_body(request, keyed_), request.sample_index);
    if (cache_) {
        if (auto hit = cache_->find(key)) {
            accounting_->note_cache_hit(options_.kind);
            return *hit;
        }
    }
    CallTicket ticket = accounting_->begin_call(options_.kind);

    std::lock_guard<std::mutex> lock(mutex_);
    CausalGenerationResult generated = generate_causal(*model_, *tokenizer_, prompt, options);
    ChatResponse response;
    response.message.role = "assistant";
    response.message.content = generated.text;
    response.finish_reason = generated.finish_reason;
    response.usage.prompt_tokens = generated.prompt_tokens;
    response.usage.completion_tokens = static_cast<int64_t>(generated.tokens.size());
    if (cache_) cache_->store(key, keyed_.model, response);
    ticket.finish(response.usage, Price{});  // in-process: no money spent
    return response;
}

}  // namespace remask
