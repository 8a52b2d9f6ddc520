#pragma once
// The ServeBackend for a model folder: causal models (Qwen2, LLaMA) answer chat completions
// token by token; diffusion models (LLaDA, Dream) answer them by diffusion generation and
// also serve /v1/infill.
//
// Every request is bounded before it runs: steps, slack, slots and max_tokens by the
// model's context length (400 naming the field and the bound), and its working memory
// (Model::activation_bytes of the batch it would run, plus a causal model's KV cache) by
// the request budget (413 naming candidates / n, or the text, and how many would fit).
// A diffusion request whose client disconnects stops after the step in progress.

#include <atomic>
#include <memory>
#include <string>

#include "server/http_server.h"

namespace remask {

class DiffusionLM;
class LocalLanguageModel;
class Model;

class ModelServeBackend : public ServeBackend {
public:
    // Context length assumed when config.json states none.
    static constexpr int64_t kDefaultContext = 32768;

    // name: the id listed by /v1/models ("" = the folder's name).
    // quant: LoadOptions::quant for a diffusion model ("none" or "int8").
    ModelServeBackend(const std::string& dir, const std::string& name, const std::string& quant = "none");
    ~ModelServeBackend() override;

    std::string model_id() const override { return name_; }
    bool is_diffusion() const { return dlm_ != nullptr; }
    nlohmann::json chat_completion(const api::ChatCompletionRequest& request) override;
    api::InfillHttpResponse infill(const api::InfillHttpRequest& request) override;

    // Bytes the loaded model keeps resident (the packed weights the engine computes with,
    // else the weights).
    int64_t resident_bytes() const;
    int64_t context_length() const;
    // Working memory one request may use; 0 = unbounded.
    void set_request_memory(int64_t bytes) { request_memory_ = bytes; }
    int64_t request_memory() const { return request_memory_; }

private:
    const Model& model() const;
    int64_t text_tokens(const std::string& text) const;
    nlohmann::json completion_body(const std::vector<std::string>& texts,
                                   const std::vector<std::string>& finish_reasons, int64_t prompt_tokens,
                                   int64_t completion_tokens);

    std::string name_;
    std::unique_ptr<DiffusionLM> dlm_;
    std::unique_ptr<LocalLanguageModel> causal_;
    std::atomic<int64_t> next_id_{1};
    int64_t request_memory_ = 0;
};

}  // namespace remask
