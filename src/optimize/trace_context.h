#pragma once
// The evidence a proposer sees: a short meta-instruction, the parent's traces (failures
// first, lowest score first, then a few successes for contrast; cut to a token budget) and
// the current prompt in full. Shared by the dlm, dlm-blind and ar-rewrite proposers so the
// comparison between them is fair.

#include <string>
#include <vector>

#include "optimize/prompt_text.h"
#include "optimize/trace.h"

namespace remask::optimize {

struct TraceContextOptions {
    size_t token_budget = 1536;    // tokens of formatted traces at most (splitter tokens)
    size_t max_successes = 2;      // successes shown after the failures
    size_t max_field_chars = 600;  // longer inputs / replies are cut in the middle
};

// The traces in the order and size described above; "" when there are none.
std::string format_traces(const std::vector<Trace>& traces, const TokenSplitter& splitter,
                          const TraceContextOptions& options);

// The user turn for the DLM: meta-instruction, traces (unless blind), notes from a reviewer,
// and the current prompt (rendered, without <keep> markers).
std::string dlm_context(const std::string& rendered_prompt, const std::vector<Trace>& traces,
                        bool with_traces, const std::string& notes, const TokenSplitter& splitter,
                        const TraceContextOptions& options);

}  // namespace remask::optimize
