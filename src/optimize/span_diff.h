#pragma once
// Span-level diffs between a parent prompt and a child: what each edit replaced, and where
// the new text sits in the child. Recorded in candidates.jsonl and drawn in report.html.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "optimize/prompt_text.h"

namespace remask::optimize {

struct EditSpan {
    size_t start = 0;  // byte offsets of `after` in the child prompt
    size_t end = 0;
    std::string before;  // the parent's text here ("" for an insertion)
    std::string after;   // the child's text ("" for a deletion)
    bool operator==(const EditSpan&) const = default;
};

// A minimal token-level diff (longest common subsequence over splitter tokens), merged
// into maximal edited runs. Reference quality, O(n*m) memory: prompts are short
// (max_prompt_tokens), so this is fine.
std::vector<EditSpan> diff_spans(const std::string& parent, const std::string& child,
                                 const TokenSplitter& splitter);

nlohmann::json to_json(const std::vector<EditSpan>& edits);
std::vector<EditSpan> edits_from_json(const nlohmann::json& array);

}  // namespace remask::optimize
