#pragma once
// The engine as a sampler's LogitsSource.

#include <algorithm>
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
    bool has_kv_cache() const override { return !model_.config().causal; }
    void logits_refresh(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                        std::vector<float>& out) override {
        model_.forward_refresh(tokens, rows, out, kv_cache_);
        peak_kv_cache_bytes_ = std::max(peak_kv_cache_bytes_, kv_cache_.bytes());
        ++forward_passes_;
    }
    void logits_partial(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& active,
                        const std::vector<int64_t>& rows, std::vector<float>& out) override {
        model_.forward_partial(tokens, active, rows, out, kv_cache_);
        ++forward_passes_;
    }
    void release_kv_cache() override { model_.keep_dual_kv_storage(kv_cache_); }
    int64_t forward_passes() const override { return forward_passes_; }
    // The largest dual cache held so far (bytes).
    int64_t peak_kv_cache_bytes() const { return peak_kv_cache_bytes_; }

private:
    std::unique_ptr<Model> owned_;
    Model& model_;
    int64_t forward_passes_ = 0;
    DualKvCache kv_cache_;
    int64_t peak_kv_cache_bytes_ = 0;
};

}  // namespace remask
