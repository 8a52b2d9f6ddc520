#pragma once
// The optimizer's SpanInfiller and TokenScorer over a real DLM: in-process
// (src/diffusion/text_diffusion.h) or a remote `remask serve` (POST /v1/infill, through the
// same schema the server uses, server/api_schema.h).

#include <memory>
#include <string>

#include "core/settings.h"
#include "optimize/span_infiller.h"

namespace remask {
class DiffusionLM;
}

namespace remask::optimize {

// Segments as `<mask:N>` markup: kept text with "<" escaped, masked spans as slots.
std::string segments_to_markup(const std::vector<PromptSegment>& segments);

class InProcessInfiller : public SpanInfiller {
public:
    InProcessInfiller(std::shared_ptr<DiffusionLM> dlm, DlmSettings settings);
    InfillResult infill(const InfillRequest& request) override;

private:
    std::shared_ptr<DiffusionLM> dlm_;
    DlmSettings settings_;
};

class ReplicaPool;

class RemoteInfiller : public SpanInfiller {
public:
    // settings.urls: one or more "http://host:port" replicas (optimize/replica_pool.h);
    // settings.api_key_env: the variable holding the servers' Bearer key (UsageError when
    // named but unset).
    explicit RemoteInfiller(DlmSettings settings);
    ~RemoteInfiller() override;
    InfillResult infill(const InfillRequest& request) override;

private:
    DlmSettings settings_;
    std::string api_key_;
    std::unique_ptr<ReplicaPool> replicas_;
};

// Pseudo-likelihood of each prompt token given the context: k passes, each masking a
// disjoint 1/k of the prompt's DLM tokens; a token's score is the log-probability the DLM
// gives it where it was masked, spread over the splitter tokens it overlaps.
class PseudoLikelihoodScorer : public TokenScorer {
public:
    explicit PseudoLikelihoodScorer(std::shared_ptr<DiffusionLM> dlm, int64_t passes = 4);
    Result score(const std::string& context, const std::vector<std::string>& tokens) override;

private:
    std::shared_ptr<DiffusionLM> dlm_;
    int64_t passes_;
};

}  // namespace remask::optimize
