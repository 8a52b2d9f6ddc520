#pragma once
// Builds the sampler that SamplingOptions name: the one registry of sampler names.
//
//   low_confidence, random                    -> LladaSampler
//   origin, maskgit_plus, topk_margin, entropy -> DreamSampler
//   threshold > 0 (with low_confidence)       -> ThresholdSampler

#include <memory>
#include <string>
#include <vector>

#include "diffusion/sampler.h"

namespace remask {

// Throws UsageError for an unknown name or an option that does not apply.
std::unique_ptr<Sampler> make_sampler(const SamplingOptions& options);

// The accepted values of SamplingOptions::sampler.
const std::vector<std::string>& sampler_names();

}  // namespace remask
