#pragma once
// The optimizer's view of a diffusion LM: fill masked spans of a prompt, conditioned on a
// user-turn context. The real adapter wraps src/diffusion/ (in-process) or a remote
// `remask serve` (`POST /v1/infill`); tests use fakes.
//
//   InfillRequest r;
//   r.context = "Improve this system prompt ... traces ...";
//   r.segments = {{"You are a classifier.", 0}, {"", 8}, {" Answer briefly.", 0}};
//   InfillResult out = infiller.infill(r);   // out.candidates[k].spans[0].filled

#include <cstdint>
#include <string>
#include <vector>

namespace remask::optimize {

// One piece of the prompt shown to the DLM in the assistant turn: kept text (slots == 0),
// or a masked span of `slots` mask positions (text = the original text there, for logs;
// the DLM never sees it).
struct PromptSegment {
    std::string text;
    int64_t slots = 0;
    bool masked() const { return slots > 0; }
};

struct InfillRequest {
    std::string context;                  // the user turn: meta-instruction (+ traces)
    std::vector<PromptSegment> segments;  // kept text and masked spans, in order
    int64_t candidates = 1;               // K fills, ideally in one batch
    int64_t steps = 32;
    double temperature = 0.7;
    uint64_t seed = 0;
};

// A filled span: byte offsets [start, end) in InfillCandidate::text, as /v1/infill returns.
// Filler (end-of-text, pad) the DLM wrote is already dropped, so `filled` may be shorter
// than its slots or empty.
struct SpanFill {
    size_t start = 0;
    size_t end = 0;
    std::string filled;
};

struct InfillCandidate {
    std::string text;             // kept text and fills concatenated
    std::vector<SpanFill> spans;  // one per masked segment, in order
};

struct InfillResult {
    std::vector<InfillCandidate> candidates;  // `candidates` of them
    int64_t forward_passes = 0;               // counted against [budget] dlm_forwards
    int64_t tokens = 0;
    std::string replica;   // remote DLM: the replica that answered
    int64_t attempts = 1;  // remote DLM: replicas tried (failed ones are not counted above)
};

class SpanInfiller {
  public:
    virtual ~SpanInfiller() = default;
    // Throws an Error when the DLM cannot run (bad model, server down).
    virtual InfillResult infill(const InfillRequest& request) = 0;
};

// For the `confidence` mask plan: how likely the DLM finds each prompt token given the
// context (pseudo-likelihood: k passes each masking a disjoint 1/k of the prompt). Scores
// are per token of the optimizer's TokenSplitter split of `tokens`, higher = more likely.
class TokenScorer {
  public:
    virtual ~TokenScorer() = default;
    struct Result {
        std::vector<double> scores;  // one per token
        int64_t forward_passes = 0;
    };
    virtual Result score(const std::string& context, const std::vector<std::string>& tokens) = 0;
};

}  // namespace remask::optimize
