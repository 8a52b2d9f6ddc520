#pragma once
// The BPE model of a tokenizer.json ("model": {"type": "BPE", ...}): vocabulary, merges in
// either the "a b" or ["a", "b"] form, ignore_merges, an optional unk token, and a word
// cache. In byte-level mode the pieces it receives are raw bytes and its lookups use the
// vocabulary converted back from GPT-2 characters to bytes (see byte_level.h).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/merge_table.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/word_cache.h"

namespace remask {

class BpeModel {
  public:
    // Ids are table indexes, so a vocabulary may leave at most this many ids unused.
    static constexpr int64_t kMaxUnusedIds = 1 << 20;

    // spec: the "model" object. Throws InputError(where..., ...) naming the field at fault
    // (unsupported options, a merge naming a token that is not in the vocabulary, ...).
    // vocab / merges: the streamed entries (see tokenizer_json.h) when spec has them as null.
    BpeModel(const nlohmann::json& spec, bool byte_level, const std::string& where,
             const std::vector<VocabEntry>* vocab = nullptr,
             const std::vector<MergeEntry>* merges = nullptr);

    // Appends the ids of one piece (raw bytes in byte-level mode, else text).
    void tokenize(std::string_view piece, std::vector<int32_t>& out) const;

    std::optional<int32_t> token_to_id(std::string_view token) const;
    // The token text as written in the vocabulary, or nullptr when id has none.
    const std::string* id_to_token(int32_t id) const;
    // What id decodes to: raw bytes in byte-level mode, else the token text; nullptr if none.
    const std::string* id_to_bytes(int32_t id) const;
    // One past the highest id in the vocabulary.
    int32_t id_limit() const { return static_cast<int32_t>(id_tokens_.size()); }
    bool byte_level() const { return byte_level_; }

    // The merge rules, for tests that compare merge implementations.
    const MergeTable& merges() const { return merges_; }

  private:
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using TokenMap = std::unordered_map<std::string, int32_t, Hash, std::equal_to<>>;

    void load_vocab(const std::vector<VocabEntry>& vocab, const std::string& where);
    void load_merges(const std::vector<MergeEntry>& merges, const std::string& where);
    void merge_uncached(std::string_view piece, std::vector<int32_t>& out) const;

    bool byte_level_ = false;
    bool ignore_merges_ = false;
    bool fuse_unk_ = false;
    int32_t unk_id_ = -1;
    TokenMap token_ids_;                  // token text -> id
    TokenMap raw_ids_;                    // what a piece looks like (bytes or text) -> id
    std::vector<std::string> id_tokens_;  // id -> token text
    std::vector<std::string> id_raw_;     // id -> bytes (byte-level) or text
    std::vector<bool> id_present_;
    int32_t byte_ids_[256];  // byte-level: the id of each single byte, or -1
    MergeTable merges_;
    WordCache cache_;
};

}  // namespace remask
