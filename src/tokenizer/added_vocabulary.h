#pragma once
// Added tokens (tokenizer.json "added_tokens"): special and non-special tokens that are cut
// out of the text before normalization and BPE, honouring lstrip / rstrip / single_word /
// normalized exactly as Hugging Face's AddedVocabulary does: leftmost-longest matching,
// a match that breaks single_word is skipped, strips extend the match over whitespace.

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace remask {

class Normalizer;

struct AddedToken {
    int32_t id = -1;
    std::string content;
    bool single_word = false;
    bool lstrip = false;
    bool rstrip = false;
    bool normalized = true;
    bool special = false;
};

// A part of a text: an added token (id >= 0) or plain text (id == -1), as byte offsets.
struct TextSegment {
    size_t start = 0, end = 0;
    int32_t id = -1;
};

class AddedVocabulary {
  public:
    AddedVocabulary() = default;
    // added_tokens: the JSON array (or null). normalizer: used to normalize the content of
    // tokens marked normalized, which are then matched in normalized text. model_id: the
    // model's id for a token text; like the reference, a token whose text the model already
    // has takes the model's id rather than the one written in the file.
    AddedVocabulary(const nlohmann::json& added_tokens, const Normalizer* normalizer,
                    const std::function<std::optional<int32_t>(std::string_view)>& model_id,
                    const std::string& where);

    // Splits text into segments covering it; in_normalized_text selects which tokens are
    // looked for (those with normalized == in_normalized_text).
    void split(std::string_view text, bool in_normalized_text, std::vector<TextSegment>& out) const;

    bool has_tokens(bool normalized) const { return !trie(normalized).nodes.empty(); }
    const AddedToken* find(int32_t id) const;
    std::optional<int32_t> find(std::string_view content) const;
    const std::vector<AddedToken>& tokens() const { return tokens_; }

  private:
    struct Trie {
        struct Node {
            int32_t token = -1;  // index into tokens_ of a token ending here
            std::vector<std::pair<uint8_t, int32_t>> children;
        };
        std::vector<Node> nodes;  // nodes[0] is the root when not empty
        bool first_byte[256] = {};
        void add(std::string_view key, int32_t token);
        // Longest key starting at text[pos]: (token index, length) or (-1, 0).
        std::pair<int32_t, size_t> longest_at(std::string_view text, size_t pos) const;
    };
    const Trie& trie(bool normalized) const { return normalized ? normalized_trie_ : raw_trie_; }

    std::vector<AddedToken> tokens_;
    std::unordered_map<int32_t, size_t> index_by_id_;
    std::unordered_map<std::string, size_t> index_by_content_;
    Trie raw_trie_, normalized_trie_;
};

}  // namespace remask
