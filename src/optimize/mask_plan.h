#pragma once
// Mask plans choose where a DLM may rewrite a prompt (DESIGN.md §1 step 1). A plan picks
// token intervals of the free text (never a <keep> block); build_masked_prompt() turns them
// into segments with n + slack slots per span of n tokens, bounded by max_prompt_tokens.
//
//   auto plan = make_mask_plan("random-span", options);
//   auto rng = make_rng(seed, iteration, "mask");
//   std::vector<MaskInterval> spans = plan->choose(tokens, rng, nullptr);
//   MaskedPrompt masked = build_masked_prompt(tokens, spans, options, splitter);

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "optimize/prompt_text.h"
#include "optimize/span_infiller.h"

namespace remask::optimize {

// Pieces [begin, end) of PromptTokens::pieces; begin == end opens an insertion slot.
struct MaskInterval {
    size_t begin = 0;
    size_t end = 0;
    int64_t insert_slots = 0;  // only for begin == end
    bool operator==(const MaskInterval&) const = default;
};

struct MaskPlanOptions {
    double ratio_min = 0.1;  // share of free tokens masked, drawn per proposal
    double ratio_max = 0.35;
    double mean_span = 6.0;    // geometric span lengths (random-span)
    int64_t slack = 4;         // extra slots per masked span
    int64_t insert_slots = 0;  // slots per insertion point; 0 = max(4, 2 * slack)
    int64_t max_prompt_tokens = 1024;
};

class MaskPlan {
  public:
    virtual ~MaskPlan() = default;
    // Non-overlapping intervals over free pieces, in any order (build_masked_prompt sorts
    // them and drops any that overlap or touch <keep>); at least one when the prompt has
    // a free token (or, for insert, a boundary). scores: one per free piece, in order
    // (needed by `confidence` only; others ignore it).
    virtual std::vector<MaskInterval> choose(const PromptTokens& tokens, std::mt19937_64& rng,
                                             const std::vector<double>* scores) const = 0;
    virtual std::string name() const = 0;
    virtual bool needs_scores() const { return false; }
};

// name: random-span | sentence | insert | confidence. Throws InputError for others.
std::unique_ptr<MaskPlan> make_mask_plan(const std::string& name, const MaskPlanOptions& options);
std::unique_ptr<MaskPlan> make_random_span_plan(const MaskPlanOptions& options);
std::unique_ptr<MaskPlan> make_sentence_plan(const MaskPlanOptions& options);
std::unique_ptr<MaskPlan> make_insert_plan(const MaskPlanOptions& options);
std::unique_ptr<MaskPlan> make_confidence_plan(const MaskPlanOptions& options);

// Sentence ends: free pieces whose text ends a sentence or line ('.', '!', '?', ':', ';'
// before optional quotes/brackets, or holding a newline). Shared by sentence and insert.
bool ends_sentence(const std::string& piece);
// Sentences as [begin, end) runs of free pieces (a locked piece also ends one).
std::vector<MaskInterval> free_sentences(const PromptTokens& tokens);

struct MaskedPrompt {
    std::vector<PromptSegment> segments;  // stored text (markers kept) and masked spans
    std::vector<MaskInterval> intervals;  // the spans actually masked, in order
    int64_t masked_tokens = 0;
};

// Slots: n + slack per span of n tokens (insert_slots for insertions), trimmed so kept
// tokens + slots <= max_prompt_tokens (slack first, then insertions, then whole spans).
MaskedPrompt build_masked_prompt(const PromptTokens& tokens, std::vector<MaskInterval> intervals,
                                 const MaskPlanOptions& options, const TokenSplitter& splitter);

// The segments as the DLM sees them: kept text with <keep> markers removed.
std::vector<PromptSegment> segments_for_dlm(const MaskedPrompt& masked);

}  // namespace remask::optimize
