#pragma once
// The τ-bench agent prompt as the optimizer handles it, and episodes as traces.
//
// whole_prompt = false: the stored prompt is the policy and the "## Instructions" heading
// in one <keep> block, then the instructions (the only text proposers may change). The DLM
// and the rewriter still see the policy, so they know the domain.
//   tau_initial_prompt(domain, "", false)
//     == "<keep>" + policy + "\n\n## Instructions\n\n</keep>"
//   tau_agent_prompt(domain, render_for_target(that), false) == domain.wiki   (upstream's)
// whole_prompt = true: the stored prompt is the whole system prompt, every part rewritable.

#include <string>
#include <vector>

#include "optimize/trace.h"
#include "tasks/tau/episode.h"

namespace remask::optimize {

// The initial stored prompt of a run (instructions: [optimizer] prompt's text, "" = none).
std::string tau_initial_prompt(const tau::TauDomain& domain, const std::string& instructions,
                               bool whole_prompt);

// The system prompt the agent gets for a rendered candidate: with whole_prompt = false the
// text after the locked heading is the instructions section (blank = the policy alone,
// upstream's prompt exactly, as tau_system_prompt does).
std::string tau_agent_prompt(const tau::TauDomain& domain, const std::string& rendered,
                             bool whole_prompt);

// One task's episodes (its trials) as one trace: score = mean reward; the block shown to
// proposers is the worst episode's: the user's goal, the agent's actions in order, its last
// message, the reward and the feedback; never the whole conversation.
Trace tau_trace(const tau::TauTask& task, const std::vector<tau::EpisodeResult>& trials);

}  // namespace remask::optimize
