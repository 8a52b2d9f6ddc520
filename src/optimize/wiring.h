#pragma once
// How `remask optimize` gets its parts. The optimizer only knows its own small interfaces
// (PromptEvaluator, SpanInfiller, TokenScorer, LanguageModel, TokenSplitter); a Wiring
// builds them from the settings. default_wiring() is the real one (tasks + llm client +
// DLM engine, written where those parts meet); tests pass fakes.

#include <functional>
#include <memory>
#include <string>

#include "core/settings.h"
#include "llm/language_model.h"
#include "optimize/prompt_evaluator.h"
#include "optimize/prompt_text.h"
#include "optimize/span_infiller.h"

namespace remask::optimize {

struct Wiring {
    // [task] + [target] (+ [user], [judge]) with the call cache of [run] cache.
    std::function<std::unique_ptr<PromptEvaluator>(const Settings&)> evaluator;
    // [dlm]: in-process engine or a remote `remask serve` (/v1/infill). Only built for the
    // dlm and dlm-blind proposers.
    std::function<std::unique_ptr<SpanInfiller>(const Settings&)> infiller;
    // [dlm] pseudo-likelihood per token; only built for mask_plan = "confidence".
    std::function<std::unique_ptr<TokenScorer>(const Settings&)> token_scorer;
    // [rewriter] (else [target] settings), counted as rewriter calls; only for ar-rewrite.
    std::function<std::unique_ptr<LanguageModel>(const Settings&)> rewriter;
    // The DLM tokenizer's token strings (mask plans work at its granularity);
    // whitespace_splitter() when no tokenizer is at hand.
    std::function<TokenSplitter(const Settings&)> splitter;
    // Milliseconds of one DLM forward of `candidates` sequences, for the projection
    // (measured by the caller, e.g. with `remask bench`); 0 = unknown.
    std::function<double(const Settings&)> forward_ms;
    // The same for one partial forward over the masked rows against the dual KV cache
    // ([dlm] kv_cache = "dual"), and that cache's bytes; unset or 0 = unknown.
    std::function<double(const Settings&)> partial_forward_ms;
    std::function<int64_t(const Settings&)> kv_cache_bytes;
};

// The real parts. Until they are wired, each factory throws UsageError naming what is
// missing (see wiring.cpp).
Wiring default_wiring();

}  // namespace remask::optimize
