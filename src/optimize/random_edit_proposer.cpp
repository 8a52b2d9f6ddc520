// random-edit: no model. Each child gets one to a few random token deletions,
// duplications or swaps of neighbours, inside free text only: the floor any proposer
// that reads the traces should beat.

#include "optimize/proposer.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

class RandomEditProposer : public Proposer {
  public:
    RandomEditProposer(ProposerOptions o, ProposerDeps d) : o_(std::move(o)), d_(std::move(d)) {}
    std::string name() const override { return "random-edit"; }

    ProposalBatch propose(const ProposalRequest& r) override {
        ProposalBatch batch;
        std::mt19937_64 rng(r.seed);
        for (int64_t k = 0; k < r.count; ++k) {
            PromptTokens tokens = tokenize_prompt(r.parent_prompt, d_.splitter);
            size_t edits = 1 + uniform_index(rng, 3);
            for (size_t e = 0; e < edits; ++e) edit_once(tokens, rng);
            std::string prompt = tokens.joined();
            batch.proposals.push_back({prompt, diff_spans(r.parent_prompt, prompt, d_.splitter)});
        }
        return batch;
    }

  private:
    static void edit_once(PromptTokens& tokens, std::mt19937_64& rng) {
        std::vector<size_t> free;
        for (size_t i = 0; i < tokens.pieces.size(); ++i)
            if (!tokens.pieces[i].locked) free.push_back(i);
        if (free.empty()) return;
        size_t at = free[uniform_index(rng, free.size())];
        auto& pieces = tokens.pieces;
        switch (uniform_index(rng, 3)) {
            case 0:
                if (free.size() > 1) pieces.erase(pieces.begin() + static_cast<std::ptrdiff_t>(at));
                break;
            case 1:
                pieces.insert(pieces.begin() + static_cast<std::ptrdiff_t>(at), pieces[at]);
                break;
            default:
                if (at + 1 < pieces.size() && !pieces[at + 1].locked)
                    std::swap(pieces[at], pieces[at + 1]);
                break;
        }
    }

    ProposerOptions o_;
    ProposerDeps d_;
};

}  // namespace

std::unique_ptr<Proposer> make_random_edit_proposer(const ProposerOptions& options,
                                                    const ProposerDeps& deps) {
    return std::make_unique<RandomEditProposer>(options, deps);
}

}  // namespace remask::optimize
