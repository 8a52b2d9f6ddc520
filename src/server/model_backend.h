#pragma once
// The ServeBackend for a model folder: causal models (Qwen2, LLaMA) answer chat completions
// token by token; diffusion models (LLaDA, Dream) answer them by diffusion generation and
// also serve /v1/infill.

#include <atomic>
#include <memory>
#include <string>

#include "server/http_server.h"

namespace remask {

class DiffusionLM;
class LocalLanguageModel;

class ModelServeBackend : public ServeBackend {
public:
    // name: the id listed by /v1/models ("" = the folder's name).
    // quant: LoadOptions::quant for a diffusion model ("none" or "int8").
    ModelServeBackend(const std::string& dir, const std::string& name, const std::string& quant = "none");
    ~ModelServeBackend() override;

    std::string model_id() const override { return name_; }
    bool is_diffusion() const { return dlm_ != nullptr; }
    nlohmann::json chat_completion(const api::ChatCompletionRequest& request) override;
    api::InfillHttpResponse infill(const api::InfillHttpRequest& request) override;

private:
    nlohmann::json completion_body(const std::vector<std::string>& texts,
                                   const std::vector<std::string>& finish_reasons, int64_t prompt_tokens,
                                   int64_t completion_tokens);

    std::string name_;
    std::unique_ptr<DiffusionLM> dlm_;
    std::unique_ptr<LocalLanguageModel> causal_;
    std::atomic<int64_t> next_id_{1};
};

}  // namespace remask
