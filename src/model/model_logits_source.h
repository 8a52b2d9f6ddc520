#pragma once
// The engine as a sampler's LogitsSource.

#include <memory>

#include "model/logits_source.h"
#include "model/model.h"

namespace remask {

class ModelLogitsSource : public LogitsSource {
public:
    explicit ModelLogitsSource(std::unique_ptr<Model> model) : owned_(std::move(model)), model_(*owned_) {}
    // Borrows a model that must outlive this source.
    explicit ModelLogitsSource(Model& model) : model_(model) {}

    Model& model() { return model_; }
    int64_t vocab_size() const override { return model_.vocab_size(); }
    void logits(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                std::vector<float>& out) override {
        model_.forward(tokens, rows, out);
        ++forward_passes_;
    }
    int64_t forward_passes() const override { return forward_passes_; }

private:
    std::unique_ptr<Model> owned_;
    Model& model_;
    int64_t forward_passes_ = 0;
};

}  // namespace remask
