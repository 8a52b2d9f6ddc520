#include "optimize/proposer.h"

#include "core/error.h"

namespace remask::optimize {

ProposerOptions proposer_options(const Settings& s) {
    ProposerOptions o;
    o.mask_plan = s.optimizer.mask_plan;
    o.mask.ratio_min = s.optimizer.mask_ratio.at(0);
    o.mask.ratio_max = s.optimizer.mask_ratio.at(1);
    o.mask.slack = s.optimizer.slack;
    o.mask.max_prompt_tokens = s.optimizer.max_prompt_tokens;
    o.steps = s.dlm.steps;
    o.dlm_temperature = s.dlm.temperature;
    const EndpointSettings rewriter = s.rewriter.value_or(s.target);
    o.rewriter_temperature = rewriter.temperature;
    o.rewriter_max_tokens = std::max<int64_t>(rewriter.max_tokens, 1024);
    o.rewriter_price_in_per_mtok = rewriter.price_input_per_mtok;
    o.rewriter_price_out_per_mtok = rewriter.price_output_per_mtok;
    return o;
}

std::unique_ptr<Proposer> make_proposer(const Settings& settings, const ProposerDeps& deps) {
    const std::string& name = settings.optimizer.proposer;
    ProposerOptions options = proposer_options(settings);
    if (!deps.splitter) throw UsageError("optimizer wiring", "no token splitter was provided");
    if (name == "dlm") return make_dlm_proposer(options, deps, true);
    if (name == "dlm-blind") return make_dlm_blind_proposer(options, deps);
    if (name == "ar-rewrite") return make_ar_rewrite_proposer(options, deps);
    if (name == "random-edit") return make_random_edit_proposer(options, deps);
    throw InputError("[optimizer] proposer", "unknown proposer '" + name +
                                                 "' (dlm | ar-rewrite | dlm-blind | random-edit)");
}

}  // namespace remask::optimize
