#include "diffusion/sampler_factory.h"

#include <algorithm>

#include "core/error.h"
#include "diffusion/dream_sampler.h"
#include "diffusion/llada_sampler.h"
#include "diffusion/threshold_sampler.h"

namespace remask {

const std::vector<std::string>& sampler_names() {
    static const std::vector<std::string> names = {"low_confidence", "random",      "origin",
                                                   "maskgit_plus",   "topk_margin", "entropy"};
    return names;
}

std::unique_ptr<Sampler> make_sampler(const SamplingOptions& o) {
    const auto& names = sampler_names();
    if (std::find(names.begin(), names.end(), o.sampler) == names.end()) {
        throw UsageError("sampler", "unknown sampler '" + o.sampler +
                                        "'; use low_confidence, random, origin, maskgit_plus, "
                                        "topk_margin or entropy");
    }
    if (o.kv_cache != "dual" && o.kv_cache != "none")
        throw UsageError("kv_cache", "unknown value '" + o.kv_cache + "'; use dual or none");
    if (o.kv_refresh < 1)
        throw UsageError("kv_refresh", "must be at least 1 (steps between full forwards), got " +
                                           std::to_string(o.kv_refresh));
    if (o.steps < 1) throw UsageError("steps", "must be at least 1, got " + std::to_string(o.steps));
    if (o.temperature < 0.0) {
        throw UsageError("temperature", "must be >= 0, got " + std::to_string(o.temperature));
    }
    const bool llada = o.sampler == "low_confidence" || o.sampler == "random";
    if (llada && (o.top_p < 1.0 || o.top_k > 0)) {
        throw UsageError("top_p/top_k", "apply to the Dream samplers (origin, maskgit_plus, "
                                        "topk_margin, entropy) only, not " + o.sampler);
    }
    if (!(o.top_p > 0.0 && o.top_p <= 1.0)) {
        throw UsageError("top_p", "must be in (0, 1], got " + std::to_string(o.top_p));
    }
    if (o.threshold > 0.0) {
        if (o.sampler != "low_confidence") {
            throw UsageError("threshold", "threshold decoding ranks positions by the probability "
                                          "of their token; use it with sampler low_confidence, "
                                          "not " + o.sampler);
        }
        return std::make_unique<ThresholdSampler>(o.threshold, o.steps, o.block_length, o.temperature);
    }
    if (llada) {
        const auto remasking = o.sampler == "random" ? LladaRemasking::random : LladaRemasking::low_confidence;
        return std::make_unique<LladaSampler>(remasking, o.steps, o.block_length, o.temperature);
    }
    if (o.block_length != 0) {
        throw UsageError("block_length", "Dream samplers have no blocks; set block_length to 0 "
                                         "or use low_confidence");
    }
    DreamOptions d;
    if (o.sampler == "origin") d.algorithm = DreamAlgorithm::origin;
    if (o.sampler == "maskgit_plus") d.algorithm = DreamAlgorithm::maskgit_plus;
    if (o.sampler == "topk_margin") d.algorithm = DreamAlgorithm::topk_margin;
    if (o.sampler == "entropy") d.algorithm = DreamAlgorithm::entropy;
    d.steps = o.steps;
    d.eps = o.eps;
    d.temperature = o.temperature;
    d.top_p = o.top_p;
    d.top_k = o.top_k;
    d.alg_temp = o.alg_temp;
    return std::make_unique<DreamSampler>(d);
}

}  // namespace remask
