#include "tokenizer/added_vocabulary.h"

#include "tokenizer/json_fields.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/unicode_text.h"

namespace remask {

namespace {

bool ends_with_word(std::string_view text) {
    if (text.empty()) return false;
    size_t end = text.size();
    return unicode::is_word_character(unicode::previous_code_point(text, end));
}

bool starts_with_word(std::string_view text) {
    if (text.empty()) return false;
    size_t pos = 0;
    return unicode::is_word_character(unicode::next_code_point(text, pos));
}

// Start of the whitespace run that ends text (text.size() when there is none).
size_t trailing_space_start(std::string_view text) {
    size_t start = text.size();
    while (start > 0) {
        size_t previous = start;
        if (!unicode::is_whitespace(unicode::previous_code_point(text, previous))) break;
        start = previous;
    }
    return start;
}

// Length of the whitespace run that starts text.
size_t leading_space_length(std::string_view text) {
    size_t end = 0;
    while (end < text.size()) {
        size_t next = end;
        if (!unicode::is_whitespace(unicode::next_code_point(text, next))) break;
        end = next;
    }
    return end;
}

}  // namespace

void AddedVocabulary::Trie::add(std::string_view key, int32_t token) {
    if (key.empty()) return;
    if (nodes.empty()) nodes.emplace_back();
    int32_t node = 0;
    for (const char c : key) {
        const auto byte = static_cast<uint8_t>(c);
        int32_t child = -1;
        for (const auto& [b, index] : nodes[node].children) {
            if (b == byte) child = index;
        }
        if (child < 0) {
            child = static_cast<int32_t>(nodes.size());
            nodes[node].children.emplace_back(byte, child);
            nodes.emplace_back();
        }
        node = child;
    }
    if (nodes[node].token < 0) nodes[node].token = token;  // the first token with this text wins
    first_byte[static_cast<uint8_t>(key[0])] = true;
}

std::pair<int32_t, size_t> AddedVocabulary::Trie::longest_at(std::string_view text,
                                                             size_t pos) const {
    std::pair<int32_t, size_t> best{-1, 0};
    int32_t node = 0;
    for (size_t i = pos; i < text.size(); ++i) {
        const auto byte = static_cast<uint8_t>(text[i]);
        int32_t child = -1;
        for (const auto& [b, index] : nodes[node].children) {
            if (b == byte) {
                child = index;
                break;
            }
        }
        if (child < 0) break;
        node = child;
        if (nodes[node].token >= 0) best = {nodes[node].token, i + 1 - pos};
    }
    return best;
}

AddedVocabulary::AddedVocabulary(
    const nlohmann::json& added_tokens, const Normalizer* normalizer,
    const std::function<std::optional<int32_t>(std::string_view)>& model_id,
    const std::string& where) {
    if (added_tokens.is_null()) return;
    if (!added_tokens.is_array()) throw InputError(where, "expected an array");
    for (size_t i = 0; i < added_tokens.size(); ++i) {
        const auto& spec = added_tokens[i];
        const std::string at = where + "[" + std::to_string(i) + "]";
        AddedToken token;
        const auto& id = json_fields::require(spec, "id", at);
        if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX) {
            throw InputError(at + ".id", "expected a non-negative integer");
        }
        token.id = static_cast<int32_t>(id.get<int64_t>());
        token.content = json_fields::require_string(spec, "content", at);
        if (token.content.empty()) throw InputError(at + ".content", "empty token");
        if (unicode::find_invalid_utf8(token.content) != std::string::npos) {
            throw InputError(at + ".content", "not valid UTF-8");
        }
        if (const auto existing = model_id(token.content)) token.id = *existing;
        token.single_word = json_fields::optional_bool(spec, "single_word", false, at);
        token.lstrip = json_fields::optional_bool(spec, "lstrip", false, at);
        token.rstrip = json_fields::optional_bool(spec, "rstrip", false, at);
        token.special = json_fields::optional_bool(spec, "special", false, at);
        token.normalized = json_fields::optional_bool(spec, "normalized", !token.special, at);
        const auto index = static_cast<int32_t>(tokens_.size());
        index_by_id_[token.id] = tokens_.size();
        index_by_content_.emplace(token.content, tokens_.size());
        if (token.normalized) {
            std::string key = token.content;
            if (normalizer) normalizer->normalize(key);
            normalized_trie_.add(key, index);
        } else {
            raw_trie_.add(token.content, index);
        }
        tokens_.push_back(std::move(token));
    }
}

const AddedToken* AddedVocabulary::find(int32_t id) const {
    const auto it = index_by_id_.find(id);
    return it == index_by_id_.end() ? nullptr : &tokens_[it->second];
}

std::optional<int32_t> AddedVocabulary::find(std::string_view content) const {
    const auto it = index_by_content_.find(std::string(content));
    if (it == index_by_content_.end()) return std::nullopt;
    return tokens_[it->second].id;
}

void AddedVocabulary::split(std::string_view text, bool in_normalized_text,
                            std::vector<TextSegment>& out) const {
    const Trie& matcher = trie(in_normalized_text);
    size_t covered = 0;  // end of what has been emitted
    size_t pos = 0;      // where the next search starts (after the previous raw match)
    if (!matcher.nodes.empty()) {
        while (pos < text.size()) {
            if (!matcher.first_byte[static_cast<uint8_t>(text[pos])]) {
                ++pos;
                continue;
            }
            const auto [index, length] = matcher.longest_at(text, pos);
            if (index < 0) {
                ++pos;
                continue;
            }
            const AddedToken& token = tokens_[index];
            size_t start = pos, stop = pos + length;
            pos = stop;
            if (token.single_word) {
                const bool space_before = start == 0 || !ends_with_word(text.substr(0, start));
                const bool space_after =
                    stop == text.size() || !starts_with_word(text.substr(stop));
                if (!space_before || !space_after) continue;
            }
            if (token.lstrip)
                start = std::max(trailing_space_start(text.substr(0, start)), covered);
            if (token.rstrip) stop += leading_space_length(text.substr(stop));
            if (covered < start) out.push_back({covered, start, -1});
            out.push_back({start, stop, token.id});
            covered = stop;
        }
    }
    if (covered < text.size()) out.push_back({covered, text.size(), -1});
}

}  // namespace remask
