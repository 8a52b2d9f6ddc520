#pragma once
// Proposers turn a parent prompt and its traces into K child prompts (DESIGN.md §2). All
// run on the same loop and budget, so their comparison is fair:
//   dlm          DLM infill of masked spans, conditioned on the traces (the method)
//   dlm-blind    the same without traces (ablation)
//   ar-rewrite   a chat LLM ([rewriter]) rewrites the whole prompt from the same traces
//   random-edit  random token deletions, duplications and swaps (no model)
// Children keep every <keep> block; the loop drops any that does not (and says so).

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/settings.h"
#include "llm/language_model.h"
#include "optimize/mask_plan.h"
#include "optimize/span_diff.h"
#include "optimize/span_infiller.h"
#include "optimize/trace.h"
#include "optimize/trace_context.h"

namespace remask::optimize {

struct ProposalRequest {
    std::string parent_prompt;  // stored form, <keep> markers included
    std::vector<Trace> traces;  // the parent's minibatch traces (with people's feedback)
    std::string notes;          // general comments from --review, "" when none
    int64_t count = 4;          // K children wanted
    int64_t iteration = 0;
    uint64_t seed = 0;  // derive_seed(run seed, iteration, "propose")
};

struct Proposal {
    std::string prompt;           // stored form
    std::vector<EditSpan> edits;  // span-level diff against the parent
};

struct ProposalBatch {
    std::vector<Proposal> proposals;  // at most `count`; fewer when a reply was unusable
    Spend spend;                      // rewriter calls, DLM forwards, tokens, money
    nlohmann::json detail = nlohmann::json::object();  // for events.jsonl: mask, failures
};

class Proposer {
  public:
    virtual ~Proposer() = default;
    virtual ProposalBatch propose(const ProposalRequest& request) = 0;
    virtual std::string name() const = 0;
};

// What proposers may use; each needs only some (the factory says which is missing).
struct ProposerDeps {
    SpanInfiller* infiller = nullptr;   // dlm, dlm-blind
    TokenScorer* scorer = nullptr;      // mask_plan = "confidence"
    LanguageModel* rewriter = nullptr;  // ar-rewrite
    TokenSplitter splitter;             // always
};

struct ProposerOptions {
    std::string mask_plan = "random-span";
    MaskPlanOptions mask;
    int64_t steps = 32;
    double dlm_temperature = 0.7;
    TraceContextOptions context;
    double rewriter_temperature = 0.0;
    int64_t rewriter_max_tokens = 1024;
    double rewriter_price_in_per_mtok = 0.0;
    double rewriter_price_out_per_mtok = 0.0;
};

ProposerOptions proposer_options(const Settings& settings);

// Throws UsageError when `settings.optimizer.proposer` is unknown or a needed dependency
// is missing.
std::unique_ptr<Proposer> make_proposer(const Settings& settings, const ProposerDeps& deps);

std::unique_ptr<Proposer> make_dlm_proposer(const ProposerOptions& options,
                                            const ProposerDeps& deps, bool with_traces);
std::unique_ptr<Proposer> make_dlm_blind_proposer(const ProposerOptions& options,
                                                  const ProposerDeps& deps);
std::unique_ptr<Proposer> make_ar_rewrite_proposer(const ProposerOptions& options,
                                                   const ProposerDeps& deps);
std::unique_ptr<Proposer> make_random_edit_proposer(const ProposerOptions& options,
                                                    const ProposerDeps& deps);

// The rewriter's reply → the new prompt: the text between the last <prompt> and its
// </prompt>, else the last ``` fenced block, else the whole reply; trimmed of blank lines
// at both ends. "" when nothing usable is left.
std::string parse_rewritten_prompt(const std::string& reply);

}  // namespace remask::optimize
