#include "tokenizer/bpe_model.h"

#include <algorithm>

#include "tokenizer/bpe_merge.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/unicode_text.h"

namespace remask {

namespace {

// Words longer than this are not cached: they are rare and would crowd out common ones.
constexpr size_t kMaxCachedWordBytes = 64;

}  // namespace

BpeModel::BpeModel(const nlohmann::json& spec, bool byte_level, const std::string& where,
                   const std::vector<VocabEntry>* vocab, const std::vector<MergeEntry>* merges)
    : byte_level_(byte_level) {
    const std::string type = json_fields::optional_string(spec, "type", "BPE", where);
    if (type != "BPE") {
        throw InputError(where + ".type",
                         "unsupported model type '" + type + "' (only BPE is supported)");
    }
    if (!json_fields::optional_string(spec, "continuing_subword_prefix", "", where).empty()) {
        throw InputError(where + ".continuing_subword_prefix",
                         "is not supported (byte-level BPE files leave it empty)");
    }
    if (!json_fields::optional_string(spec, "end_of_word_suffix", "", where).empty()) {
        throw InputError(where + ".end_of_word_suffix",
                         "is not supported (byte-level BPE files leave it empty)");
    }
    if (json_fields::optional_bool(spec, "byte_fallback", false, where)) {
        throw InputError(where + ".byte_fallback", "is not supported (only byte-level BPE)");
    }
    if (const auto dropout = spec.find("dropout"); dropout != spec.end() && !dropout->is_null()) {
        if (!dropout->is_number() || dropout->get<double>() != 0.0) {
            throw InputError(where + ".dropout",
                             "BPE dropout is not supported (it makes encoding random)");
        }
    }
    ignore_merges_ = json_fields::optional_bool(spec, "ignore_merges", false, where);
    fuse_unk_ = json_fields::optional_bool(spec, "fuse_unk", false, where);

    if (vocab) {
        load_vocab(*vocab, where + ".vocab");
    } else {
        const auto& object = json_fields::require(spec, "vocab", where);
        if (!object.is_object())
            throw InputError(where + ".vocab", "expected an object mapping tokens to ids");
        std::vector<VocabEntry> entries;
        for (const auto& [token, value] : object.items()) {
            if (!value.is_number_integer())
                throw InputError(where + ".vocab[\"" + token + "\"]",
                                 "expected a non-negative integer id");
            entries.push_back({token, value.get<int64_t>()});
        }
        load_vocab(entries, where + ".vocab");
    }
    if (merges) {
        load_merges(*merges, where + ".merges");
    } else {
        const auto& list = json_fields::require(spec, "merges", where);
        if (!list.is_array()) throw InputError(where + ".merges", "expected an array");
        std::vector<MergeEntry> entries;
        for (size_t i = 0; i < list.size(); ++i)
            entries.push_back(parse_merge(list[i], where + ".merges[" + std::to_string(i) + "]"));
        load_merges(entries, where + ".merges");
    }

    const std::string unk = json_fields::optional_string(spec, "unk_token", "", where);
    if (!unk.empty()) {
        const auto id = token_to_id(unk);
        if (!id) throw InputError(where + ".unk_token", "'" + unk + "' is not in the vocabulary");
        unk_id_ = *id;
    }
    for (int b = 0; b < 256; ++b) {
        const auto it = raw_ids_.find(std::string_view(reinterpret_cast<const char*>(&b), 1));
        byte_ids_[b] = (byte_level_ && it != raw_ids_.end()) ? it->second : -1;
    }
}

void BpeModel::load_vocab(const std::vector<VocabEntry>& vocab, const std::string& where) {
    token_ids_.reserve(vocab.size());
    raw_ids_.reserve(vocab.size());
    int64_t max_id = -1;
    for (const VocabEntry& entry : vocab) {
        if (entry.id < 0 || entry.id > INT32_MAX) {
            throw InputError(where + "[\"" + entry.token + "\"]",
                             "expected a non-negative integer id");
        }
        max_id = std::max(max_id, entry.id);
    }
    // Tables are indexed by id: a few ids near INT32_MAX would cost gigabytes.
    if (max_id >= static_cast<int64_t>(vocab.size()) + kMaxUnusedIds)
        throw InputError(where, "id " + std::to_string(max_id) + " is far past the vocabulary's " +
                                    std::to_string(vocab.size()) + " entries (at most " +
                                    std::to_string(kMaxUnusedIds) + " ids may go unused)");
    id_tokens_.resize(max_id + 1);
    id_raw_.resize(max_id + 1);
    id_present_.assign(max_id + 1, false);
    for (const VocabEntry& entry : vocab) {
        const auto id = static_cast<int32_t>(entry.id);
        const std::string& token = entry.token;
        std::string raw;
        if (byte_level_) {
            if (unicode::find_invalid_utf8(token) != std::string::npos) {
                throw InputError(where,
                                 "token with id " + std::to_string(id) + " is not valid UTF-8");
            }
            // A token outside the byte map can never be produced from bytes; it keeps its text.
            auto bytes = byte_level::text_to_bytes(token);
            raw = bytes ? std::move(*bytes) : token;
        } else {
            raw = token;
        }
        token_ids_[token] = id;
        raw_ids_[raw] = id;
        id_tokens_[id] = token;
        id_raw_[id] = std::move(raw);
        id_present_[id] = true;
    }
}

void BpeModel::load_merges(const std::vector<MergeEntry>& merges, const std::string& where) {
    merges_.reserve(merges.size());
    std::string joined;
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        const std::string& left = merges[rank].left;
        const std::string& right = merges[rank].right;
        joined.assign(left).append(right);
        const auto left_id = token_to_id(left), right_id = token_to_id(right),
                   merged_id = token_to_id(joined);
        for (const auto& [name, id] :
             {std::pair{&left, left_id}, {&right, right_id}, {&joined, merged_id}}) {
            if (!id) {
                throw InputError(where + "[" + std::to_string(rank) + "]",
                                 "merge '" + left + " " + right + "' names token '" + *name +
                                     "', which is not in the vocabulary");
            }
        }
        merges_.insert(*left_id, *right_id, MergeRule{static_cast<int32_t>(rank), *merged_id});
    }
}

std::optional<int32_t> BpeModel::token_to_id(std::string_view token) const {
    const auto it = token_ids_.find(token);
    if (it == token_ids_.end()) return std::nullopt;
    return it->second;
}

const std::string* BpeModel::id_to_token(int32_t id) const {
    if (id < 0 || id >= id_limit() || !id_present_[id]) return nullptr;
    return &id_tokens_[id];
}

const std::string* BpeModel::id_to_bytes(int32_t id) const {
    if (id < 0 || id >= id_limit() || !id_present_[id]) return nullptr;
    return &id_raw_[id];
}

void BpeModel::tokenize(std::string_view piece, std::vector<int32_t>& out) const {
    if (piece.empty()) return;
    if (byte_level_ && piece.size() == 1 && byte_ids_[static_cast<uint8_t>(piece[0])] >= 0) {
        out.push_back(byte_ids_[static_cast<uint8_t>(piece[0])]);
        return;
    }
    if (ignore_merges_) {
        const auto it = raw_ids_.find(piece);
        if (it != raw_ids_.end()) {
            out.push_back(it->second);
            return;
        }
    }
    const bool cacheable = piece.size() <= kMaxCachedWordBytes;
    if (cacheable && cache_.lookup(piece, out)) return;
    const size_t first = out.size();
    merge_uncached(piece, out);
    if (cacheable) cache_.insert(piece, out.data() + first, out.size() - first);
}

void BpeModel::merge_uncached(std::string_view piece, std::vector<int32_t>& out) const {
    // Initial symbols: one per byte (byte-level) or per character. A symbol missing from the
    // vocabulary becomes unk (fused with a preceding unk if fuse_unk) or is dropped.
    thread_local std::vector<int32_t> symbols;
    symbols.clear();
    const auto add = [&](int32_t id) {
        if (id >= 0) {
            symbols.push_back(id);
        } else if (unk_id_ >= 0) {
            if (!(fuse_unk_ && !symbols.empty() && symbols.back() == unk_id_))
                symbols.push_back(unk_id_);
        }
    };
    if (byte_level_) {
        for (const char c : piece) add(byte_ids_[static_cast<uint8_t>(c)]);
    } else {
        size_t pos = 0;
        while (pos < piece.size()) {
            const size_t start = pos;
            unicode::next_code_point(piece, pos);
            const auto it = raw_ids_.find(piece.substr(start, pos - start));
            add(it == raw_ids_.end() ? -1 : it->second);
        }
    }
    merge_word(symbols, merges_);
    out.insert(out.end(), symbols.begin(), symbols.end());
}

}  // namespace remask
