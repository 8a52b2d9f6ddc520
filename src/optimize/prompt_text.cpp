#include "optimize/prompt_text.h"

#include <cstring>

#include "core/error.h"

namespace remask::optimize {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

TokenSplitter whitespace_splitter() {
    return [](const std::string& text) {
        std::vector<std::string> tokens;
        size_t i = 0;
        while (i < text.size()) {
            size_t start = i;
            while (i < text.size() && is_space(text[i])) ++i;
            while (i < text.size() && !is_space(text[i])) ++i;
            tokens.push_back(text.substr(start, i - start));
        }
        return tokens;
    };
}

TokenSplitter character_splitter() {
    return [](const std::string& text) {
        std::vector<std::string> tokens;
        size_t i = 0;
        while (i < text.size()) {
            size_t start = i++;
            while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
            tokens.push_back(text.substr(start, i - start));
        }
        return tokens;
    };
}

std::vector<PromptRegion> split_keep_regions(const std::string& prompt, const std::string& source) {
    std::vector<PromptRegion> regions;
    const size_t open_len = std::strlen(kKeepOpen), close_len = std::strlen(kKeepClose);
    size_t pos = 0;
    while (pos < prompt.size()) {
        size_t open = prompt.find(kKeepOpen, pos);
        size_t stray = prompt.find(kKeepClose, pos);
        if (stray != std::string::npos && (open == std::string::npos || stray < open))
            throw InputError(source,
                             "'</keep>' at byte " + std::to_string(stray) + " closes no '<keep>'");
        if (open == std::string::npos) {
            regions.push_back({prompt.substr(pos), false});
            break;
        }
        if (open > pos) regions.push_back({prompt.substr(pos, open - pos), false});
        size_t close = prompt.find(kKeepClose, open + open_len);
        size_t nested = prompt.find(kKeepOpen, open + open_len);
        if (close == std::string::npos)
            throw InputError(source,
                             "'<keep>' at byte " + std::to_string(open) + " is never closed");
        if (nested != std::string::npos && nested < close)
            throw InputError(source,
                             "'<keep>' blocks cannot nest (byte " + std::to_string(nested) + ")");
        regions.push_back({prompt.substr(open, close + close_len - open), true});
        pos = close + close_len;
    }
    return regions;
}

std::string render_for_target(const std::string& prompt) {
    std::string out;
    const size_t open_len = std::strlen(kKeepOpen), close_len = std::strlen(kKeepClose);
    for (const PromptRegion& r : split_keep_regions(prompt)) {
        if (r.keep)
            out += r.text.substr(open_len, r.text.size() - open_len - close_len);
        else
            out += r.text;
    }
    return out;
}

std::vector<std::string> keep_blocks(const std::string& prompt) {
    std::vector<std::string> blocks;
    for (const PromptRegion& r : split_keep_regions(prompt))
        if (r.keep) blocks.push_back(r.text);
    return blocks;
}

bool keeps_preserved(const std::string& original, const std::string& candidate) {
    try {
        return keep_blocks(original) == keep_blocks(candidate);
    } catch (const InputError&) {
        return false;  // the candidate broke a marker
    }
}

std::string PromptTokens::joined() const {
    std::string out;
    for (const PromptPiece& p : pieces) out += p.text;
    return out;
}

size_t PromptTokens::free_count() const {
    size_t n = 0;
    for (const PromptPiece& p : pieces) n += p.locked ? 0 : 1;
    return n;
}

PromptTokens tokenize_prompt(const std::string& prompt, const TokenSplitter& splitter) {
    PromptTokens tokens;
    for (const PromptRegion& r : split_keep_regions(prompt)) {
        if (r.keep) {
            tokens.pieces.push_back({r.text, true});
            continue;
        }
        std::string check;
        for (std::string& t : splitter(r.text)) {
            check += t;
            if (!t.empty()) tokens.pieces.push_back({std::move(t), false});
        }
        if (check != r.text)
            throw InputError("token splitter",
                             "its tokens do not concatenate back to the prompt text");
    }
    return tokens;
}

size_t count_prompt_tokens(const std::string& prompt, const TokenSplitter& splitter) {
    return splitter(render_for_target(prompt)).size();
}

}  // namespace remask::optimize
