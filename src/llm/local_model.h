#pragma once
// The `local` provider: a causal Qwen2 / LLaMA model folder run in-process, behind the same
// LanguageModel interface as a remote endpoint. Requests are served one at a time (the
// engine is not re-entrant); each runs its own KV cache. Answers are cached and counted
// exactly like remote calls (same cache file, same Accounting and caps).
//
//   LocalLanguageModel target("models/Qwen2.5-0.5B-Instruct", settings);
//   ChatResponse reply = target.chat({.messages = {{"user", "Hi"}}, .seed = 1});

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/settings.h"
#include "llm/accounting.h"
#include "llm/call_cache.h"
#include "llm/factory.h"
#include "llm/language_model.h"
#include "tokenizer/chat_template.h"

namespace remask {

class Model;
class Tokenizer;

class LocalLanguageModel : public LanguageModel {
public:
    // Throws InputError when the folder is not a causal model with a tokenizer.json.
    LocalLanguageModel(const std::string& dir, const EndpointSettings& defaults,
                       const ClientOptions& options = {});
    ~LocalLanguageModel() override;

    ChatResponse chat(const ChatRequest& request) override;
    std::string describe() const override;

    const Tokenizer& tokenizer() const { return *tokenizer_; }
    const Model& model() const { return *model_; }
    Accounting& accounting() { return *accounting_; }

private:
    std::string dir_;
    EndpointSettings defaults_;
    EndpointSettings keyed_;  // defaults_ with the folder's absolute path as the model name
    std::unique_ptr<Model> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    ChatFamily family_;
    std::vector<int32_t> end_ids_;
    ClientOptions options_;
    std::shared_ptr<Accounting> accounting_;
    std::shared_ptr<CallCache> cache_;
    std::mutex mutex_;
};

// Ids that end an answer: config eos ids plus the family's end-of-turn marker.
std::vector<int32_t> answer_end_ids(const Tokenizer& tokenizer, ChatFamily family,
                                    const std::vector<int64_t>& config_eos_ids);

}  // namespace remask
