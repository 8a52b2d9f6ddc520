// dlm-blind: the dlm proposer with the traces left out of the DLM's context: the ablation
// that shows how much the traces matter.

#include "optimize/proposer.h"

namespace remask::optimize {

std::unique_ptr<Proposer> make_dlm_blind_proposer(const ProposerOptions& options,
                                                  const ProposerDeps& deps) {
    return make_dlm_proposer(options, deps, false);
}

}  // namespace remask::optimize
