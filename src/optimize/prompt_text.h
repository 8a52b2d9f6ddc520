#pragma once
// A system prompt as the optimizer handles it: free text the proposers may rewrite and
// `<keep>…</keep>` blocks they must not touch, split into tokens for mask plans.
//
// The stored prompt (candidates.jsonl, best_prompt.txt) keeps the markers, so the next run
// still protects the same text; the target and the DLM see render_for_target(prompt).
//
//   PromptTokens t = tokenize_prompt("Be brief. <keep>Answer yes or no.</keep>", splitter);
//   // t.pieces: "Be", " brief.", " " (free tokens), "<keep>Answer yes or no.</keep>" (locked)

#include <functional>
#include <string>
#include <vector>

namespace remask::optimize {

// Splits text into token strings whose concatenation is exactly the text (byte for byte).
// The real one comes from the DLM's tokenizer; whitespace_splitter() works without one.
using TokenSplitter = std::function<std::vector<std::string>(const std::string&)>;

// Tokens = a run of whitespace followed by a run of non-whitespace (" word", "\n\n- item").
TokenSplitter whitespace_splitter();
// One token per UTF-8 code point.
TokenSplitter character_splitter();

inline constexpr const char* kKeepOpen = "<keep>";
inline constexpr const char* kKeepClose = "</keep>";

struct PromptRegion {
    std::string text;  // a keep region includes its markers
    bool keep = false;
};

// Throws InputError(source, ...) for an unclosed, nested or stray marker.
std::vector<PromptRegion> split_keep_regions(const std::string& prompt,
                                             const std::string& source = "prompt");
// The prompt without the markers (what the target and the DLM see).
std::string render_for_target(const std::string& prompt);
// The keep blocks, markers included, in order.
std::vector<std::string> keep_blocks(const std::string& prompt);
// True when `candidate` holds the same keep blocks as `original`, in the same order.
bool keeps_preserved(const std::string& original, const std::string& candidate);

struct PromptPiece {
    std::string text;
    bool locked = false;  // a whole keep block: never masked, never edited
};

struct PromptTokens {
    std::vector<PromptPiece> pieces;  // concatenation == the prompt
    std::string joined() const;
    size_t free_count() const;
};

// Throws InputError when the splitter does not reproduce its input (a broken adapter).
PromptTokens tokenize_prompt(const std::string& prompt, const TokenSplitter& splitter);

// Token count of the rendered prompt (what max_prompt_tokens bounds).
size_t count_prompt_tokens(const std::string& prompt, const TokenSplitter& splitter);

}  // namespace remask::optimize
