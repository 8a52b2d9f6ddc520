// dlm: mask spans of the parent (the configured mask plan) and let the DLM fill them,
// given the meta-instruction and the parent's traces; K fills in one infill call.

#include <algorithm>

#include "core/error.h"
#include "optimize/proposer.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

class DlmProposer : public Proposer {
  public:
    DlmProposer(ProposerOptions o, ProposerDeps d, bool with_traces)
        : o_(std::move(o)),
          d_(std::move(d)),
          with_traces_(with_traces),
          plan_(make_mask_plan(o_.mask_plan, o_.mask)) {
        if (!d_.infiller)
            throw UsageError("optimizer wiring",
                             "the dlm proposers need a DLM ([dlm] model or url)");
        if (plan_->needs_scores() && !d_.scorer)
            throw UsageError("optimizer wiring",
                             "mask_plan = \"confidence\" needs a DLM token scorer");
    }
    std::string name() const override { return with_traces_ ? "dlm" : "dlm-blind"; }

    ProposalBatch propose(const ProposalRequest& r) override {
        ProposalBatch batch;
        PromptTokens tokens = tokenize_prompt(r.parent_prompt, d_.splitter);
        std::string context = dlm_context(render_for_target(r.parent_prompt), r.traces,
                                          with_traces_, r.notes, d_.splitter, o_.context);
        std::mt19937_64 rng(r.seed);

        std::vector<double> scores;
        if (plan_->needs_scores()) {
            std::vector<std::string> free_tokens;
            for (const PromptPiece& p : tokens.pieces)
                if (!p.locked) free_tokens.push_back(p.text);
            TokenScorer::Result scored = d_.scorer->score(context, free_tokens);
            batch.spend.dlm_forwards += scored.forward_passes;
            scores = std::move(scored.scores);
        }
        std::vector<MaskInterval> chosen =
            plan_->choose(tokens, rng, plan_->needs_scores() ? &scores : nullptr);
        // A prompt that is all <keep> (a τ prompt with empty instructions) has nothing to
        // mask: open insertion slots at its end, so the DLM can write the first text.
        if (chosen.empty() && tokens.free_count() == 0)
            chosen.push_back({tokens.pieces.size(), tokens.pieces.size(), 0});
        MaskedPrompt masked = build_masked_prompt(tokens, chosen, o_.mask, d_.splitter);
        batch.detail["mask_plan"] = plan_->name();
        batch.detail["masked_tokens"] = masked.masked_tokens;
        batch.detail["spans"] = masked.intervals.size();
        if (masked.intervals.empty()) {
            batch.detail["skipped"] = "nothing to mask";
            return batch;
        }

        InfillRequest request;
        request.context = std::move(context);
        request.segments = segments_for_dlm(masked);
        request.candidates = r.count;
        request.steps = o_.steps;
        request.temperature = o_.dlm_temperature;
        request.seed = rng();
        InfillResult result = d_.infiller->infill(request);
        batch.spend.dlm_forwards += result.forward_passes;
        batch.spend.tokens += result.tokens;
        if (!result.replica.empty()) {
            batch.detail["dlm_replica"] = result.replica;
            batch.detail["dlm_attempts"] = result.attempts;
        }

        size_t spans = masked.intervals.size();
        int64_t malformed = 0;
        for (const InfillCandidate& c : result.candidates) {
            if (c.spans.size() != spans) {
                ++malformed;
                continue;
            }
            // Rebuild from the stored segments so <keep> markers stay in the stored prompt.
            Proposal p;
            size_t k = 0;
            for (const PromptSegment& s : masked.segments) {
                if (!s.masked()) {
                    p.prompt += s.text;
                    continue;
                }
                const std::string& fill = c.spans[k++].filled;
                EditSpan e{p.prompt.size(), p.prompt.size() + fill.size(), s.text, fill};
                p.prompt += fill;
                if (e.before != e.after) p.edits.push_back(std::move(e));
            }
            batch.proposals.push_back(std::move(p));
        }
        if (malformed > 0) batch.detail["malformed_candidates"] = malformed;
        return batch;
    }

  private:
    ProposerOptions o_;
    ProposerDeps d_;
    bool with_traces_;
    std::unique_ptr<MaskPlan> plan_;
};

}  // namespace

std::unique_ptr<Proposer> make_dlm_proposer(const ProposerOptions& options,
                                            const ProposerDeps& deps, bool with_traces) {
    return std::make_unique<DlmProposer>(options, deps, with_traces);
}

}  // namespace remask::optimize
