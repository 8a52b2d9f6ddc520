#include "tokenizer/tokenizer.h"

#include <deque>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "tokenizer/added_vocabulary.h"
#include "tokenizer/bpe_model.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/json_fields.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/post_processor.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/unicode_text.h"

namespace remask {

struct Tokenizer::Impl {
    std::string source;
    std::unique_ptr<Normalizer> normalizer;
    std::unique_ptr<PreTokenizer> pre_tokenizer;
    std::unique_ptr<BpeModel> model;
    std::unique_ptr<PostProcessor> post_processor;
    AddedVocabulary added;
    bool join_with_spaces = false;     // no decoder: tokens are joined by " "
    std::vector<std::string> decoded;  // id -> bytes it decodes to
    std::vector<uint8_t> kind;         // id -> 0 none, 1 token, 2 special token
    int64_t id_limit = 0;

    void encode_normalized_piece(std::string_view text, std::vector<int32_t>& out) const;
    void encode_text(std::string_view text, bool recognize_special,
                     std::vector<int32_t>& out) const;
};

namespace {

enum : uint8_t { kNoToken = 0, kToken = 1, kSpecial = 2 };

// Per-thread scratch space so that encoding allocates little.
struct EncodeScratch {
    std::vector<std::string_view> pieces;
    std::deque<std::string> arena;
};

bool decoder_is_byte_level(const nlohmann::json& spec, const std::string& where) {
    if (spec.is_null()) return false;
    const std::string type = json_fields::require_string(spec, "type", where);
    if (type == "ByteLevel") return true;
    if (type == "Sequence") {
        const auto& list = json_fields::require(spec, "decoders", where);
        if (list.is_array() && list.size() == 1)
            return decoder_is_byte_level(list[0], where + ".decoders[0]");
    }
    throw InputError(where + ".type",
                     "unsupported decoder type '" + type + "' (supported: ByteLevel)");
}

}  // namespace

void Tokenizer::Impl::encode_normalized_piece(std::string_view text,
                                              std::vector<int32_t>& out) const {
    if (!pre_tokenizer) {
        model->tokenize(text, out);
        return;
    }
    thread_local EncodeScratch scratch;
    scratch.pieces.clear();
    scratch.arena.clear();
    pre_tokenizer->split(text, scratch.pieces, scratch.arena);
    // The pieces may point into the arena, which lives until the next call on this thread.
    for (const std::string_view piece : scratch.pieces) model->tokenize(piece, out);
}

void Tokenizer::Impl::encode_text(std::string_view text, bool recognize_special,
                                  std::vector<int32_t>& out) const {
    std::string normalized;
    if (normalizer) {
        normalized.assign(text);
        normalizer->normalize(normalized);
        text = normalized;
    }
    if (!recognize_special || !added.has_tokens(true)) {
        encode_normalized_piece(text, out);
        return;
    }
    std::vector<TextSegment> segments;
    added.split(text, true, segments);
    for (const TextSegment& segment : segments) {
        if (segment.id >= 0) {
            out.push_back(segment.id);
        } else {
            encode_normalized_piece(text.substr(segment.start, segment.end - segment.start), out);
        }
    }
}

Tokenizer::Tokenizer() : impl_(std::make_unique<Impl>()) {}
Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::from_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw InputError(path, "cannot open the tokenizer file");
    std::ostringstream buffer;
    buffer << file.rdbuf();
    if (file.bad()) throw InputError(path, "cannot read the tokenizer file");
    return from_json_text(buffer.str(), path);
}

std::unique_ptr<Tokenizer> Tokenizer::from_json_text(const std::string& text,
                                                     const std::string& source_name) {
    TokenizerJson parsed = parse_tokenizer_json(text, source_name);
    const nlohmann::json& root = parsed.root;
    if (!root.is_object())
        throw InputError(source_name, "expected a JSON object (a tokenizer.json)");
    const std::string where = source_name + ": ";
    const auto field = [&](const char* key) -> const nlohmann::json& {
        static const nlohmann::json null_value;
        const auto it = root.find(key);
        return it == root.end() ? null_value : *it;
    };

    std::unique_ptr<Tokenizer> tokenizer(new Tokenizer());
    Impl& impl = *tokenizer->impl_;
    impl.source = source_name;
    impl.normalizer = make_normalizer(field("normalizer"), where + "normalizer");
    impl.pre_tokenizer = make_pre_tokenizer(field("pre_tokenizer"), where + "pre_tokenizer");
    if (impl.pre_tokenizer && impl.pre_tokenizer->contains_byte_level() &&
        !impl.pre_tokenizer->ends_with_byte_level()) {
        throw InputError(where + "pre_tokenizer",
                         "ByteLevel is supported only as the last pre-tokenizer step");
    }
    const bool byte_level = impl.pre_tokenizer && impl.pre_tokenizer->ends_with_byte_level();
    if (field("model").is_null()) throw InputError(where + "model", "missing");
    impl.model = std::make_unique<BpeModel>(field("model"), byte_level, where + "model",
                                            parsed.vocab_streamed ? &parsed.vocab : nullptr,
                                            parsed.merges_streamed ? &parsed.merges : nullptr);
    impl.post_processor = make_post_processor(field("post_processor"), where + "post_processor");
    const BpeModel& model = *impl.model;
    impl.added = AddedVocabulary(
        field("added_tokens"), impl.normalizer.get(),
        [&model](std::string_view content) { return model.token_to_id(content); },
        where + "added_tokens");
    const bool byte_level_decoder = decoder_is_byte_level(field("decoder"), where + "decoder");
    impl.join_with_spaces = !byte_level_decoder;

    // The decode table: what each id turns into, added tokens taking precedence.
    int64_t limit = impl.model->id_limit();
    const int64_t id_bound = limit + static_cast<int64_t>(impl.added.tokens().size()) + BpeModel::kMaxUnusedIds;
    for (const AddedToken& token : impl.added.tokens()) {
        if (token.id >= id_bound)
            throw InputError(where + "added_tokens", "id " + std::to_string(token.id) + " is far past the vocabulary's " +
                                                         std::to_string(impl.model->id_limit()) + " ids (at most " +
                                                         std::to_string(BpeModel::kMaxUnusedIds) + " may go unused)");
        limit = std::max<int64_t>(limit, int64_t{token.id} + 1);
    }
    impl.id_limit = limit;
    impl.decoded.assign(limit, std::string());
    impl.kind.assign(limit, kNoToken);
    const auto decoded_form = [&](const std::string& token_text) {
        if (!byte_level_decoder) return token_text;
        auto bytes = byte_level::text_to_bytes(token_text);
        return bytes ? *bytes : token_text;
    };
    for (int32_t id = 0; id < impl.model->id_limit(); ++id) {
        const std::string* token = impl.model->id_to_token(id);
        if (!token) continue;
        // A byte-level model already holds each token's bytes.
        impl.decoded[id] = (byte_level_decoder && impl.model->byte_level())
                               ? *impl.model->id_to_bytes(id)
                               : decoded_form(*token);
        impl.kind[id] = kToken;
    }
    for (const AddedToken& token : impl.added.tokens()) {
        impl.decoded[token.id] = decoded_form(token.content);
        impl.kind[token.id] = token.special ? kSpecial : kToken;
    }
    return tokenizer;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool recognize_special) const {
    if (const size_t bad = unicode::find_invalid_utf8(text); bad != std::string_view::npos) {
        throw InputError("text", "not valid UTF-8 (byte " + std::to_string(bad) + " of " +
                                     std::to_string(text.size()) + ")");
    }
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 4);
    if (!recognize_special || !impl_->added.has_tokens(false)) {
        impl_->encode_text(text, recognize_special, out);
        return out;
    }
    std::vector<TextSegment> segments;
    impl_->added.split(text, false, segments);
    for (const TextSegment& segment : segments) {
        if (segment.id >= 0) {
            out.push_back(segment.id);
        } else {
            impl_->encode_text(text.substr(segment.start, segment.end - segment.start), true, out);
        }
    }
    return out;
}

std::vector<int32_t> Tokenizer::add_special_tokens(std::vector<int32_t> ids) const {
    if (!impl_->post_processor) return ids;
    return impl_->post_processor->apply(std::move(ids));
}

const std::string* Tokenizer::decoded_bytes(int32_t id, bool skip_special) const {
    if (id < 0 || id >= impl_->id_limit || impl_->kind[id] == kNoToken) return nullptr;
    if (skip_special && impl_->kind[id] == kSpecial) return nullptr;
    return &impl_->decoded[id];
}

bool Tokenizer::joins_with_spaces() const { return impl_->join_with_spaces; }

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool skip_special) const {
    std::string bytes;
    bool first = true;
    for (const int32_t id : ids) {
        const std::string* piece = decoded_bytes(id, skip_special);
        if (!piece) continue;
        if (impl_->join_with_spaces && !first) bytes.push_back(' ');
        bytes += *piece;
        first = false;
    }
    if (unicode::find_invalid_utf8(bytes) == std::string::npos) return bytes;
    return unicode::to_valid_utf8_lossy(bytes);
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
    if (const auto id = impl_->added.find(token)) return id;
    return impl_->model->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(int32_t id) const {
    if (const AddedToken* token = impl_->added.find(id)) return token->content;
    if (const std::string* token = impl_->model->id_to_token(id)) return *token;
    return std::nullopt;
}

int64_t Tokenizer::vocab_size() const { return impl_->id_limit; }

bool Tokenizer::is_special(int32_t id) const {
    return id >= 0 && id < impl_->id_limit && impl_->kind[id] == kSpecial;
}

const std::string& Tokenizer::source_name() const { return impl_->source; }

StreamingDecoder::StreamingDecoder(const Tokenizer& tokenizer, bool skip_special)
    : tokenizer_(tokenizer), skip_special_(skip_special) {}

std::string StreamingDecoder::push(int32_t id) {
    const std::string* piece = tokenizer_.decoded_bytes(id, skip_special_);
    if (!piece) return {};
    if (tokenizer_.joins_with_spaces() && any_token_) pending_.push_back(' ');
    pending_ += *piece;
    any_token_ = true;
    return take_complete(false);
}

std::string StreamingDecoder::push(const std::vector<int32_t>& ids) {
    std::string out;
    for (const int32_t id : ids) out += push(id);
    return out;
}

std::string StreamingDecoder::finish() { return take_complete(true); }

std::string StreamingDecoder::take_complete(bool final) {
    const size_t held = final ? 0 : unicode::incomplete_utf8_suffix_length(pending_);
    const std::string_view ready(pending_.data(), pending_.size() - held);
    std::string out = unicode::find_invalid_utf8(ready) == std::string_view::npos
                          ? std::string(ready)
                          : unicode::to_valid_utf8_lossy(ready);
    pending_.erase(0, ready.size());
    text_ += out;
    return out;
}

}  // namespace remask
