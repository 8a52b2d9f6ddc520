#include "tokenizer/tokenizer_json.h"

#include "core/error.h"
#include "core/json_limits.h"

namespace remask {

namespace {

using Json = nlohmann::json;

MergeEntry split_merge_string(const std::string& text, const std::string& where) {
    const size_t space = text.find(' ');
    if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos) {
        throw InputError(where, "merge '" + text + "' must be two tokens separated by one space");
    }
    return {text.substr(0, space), text.substr(space + 1)};
}

// SAX handler: forwards events to nlohmann's DOM builder, except inside model.vocab and
// model.merges, whose entries it collects itself (the DOM gets null for them).
class Handler {
  public:
    Handler(TokenizerJson& out, const std::string& source)
        : out_(out), source_(source), dom_(out.root, true) {}

    bool null() { return capturing() ? bad_value("null") : dom_.null(); }
    bool boolean(bool value) { return capturing() ? bad_value("a boolean") : dom_.boolean(value); }
    bool number_integer(Json::number_integer_t value) {
        return capturing() ? vocab_id(value) : dom_.number_integer(value);
    }
    bool number_unsigned(Json::number_unsigned_t value) {
        return capturing() ? vocab_id(value > INT64_MAX ? -1 : static_cast<int64_t>(value))
                           : dom_.number_unsigned(value);
    }
    bool number_float(Json::number_float_t value, const Json::string_t& text) {
        return capturing() ? bad_value("a fraction") : dom_.number_float(value, text);
    }
    bool string(Json::string_t& value) {
        if (!capturing()) return dom_.string(value);
        if (mode_ == Mode::vocab) return bad_value("a string");
        if (depth_ == capture_depth_) {
            out_.merges.push_back(split_merge_string(value, merge_where()));
        } else {
            pair_.push_back(std::move(value));
        }
        return true;
    }
    bool binary(Json::binary_t& value) {
        return capturing() ? bad_value("binary") : dom_.binary(value);
    }

    bool start_object(std::size_t size) {
        if (++depth_ > kMaxDepth) too_deep();
        if (capturing()) return bad_value("an object");
        if (depth_ == 3 && keys_[1] == "model" && keys_[2] == "vocab")
            return begin_capture(Mode::vocab);
        return dom_.start_object(size);
    }
    bool key(Json::string_t& value) {
        if (depth_ < 3) keys_[depth_] = value;
        if (capturing()) {
            pending_key_ = std::move(value);
            return true;
        }
        return dom_.key(value);
    }
    bool end_object() {
        const bool was_capturing = capturing();
        if (was_capturing && depth_ == capture_depth_) mode_ = Mode::none;
        --depth_;
        return was_capturing ? true : dom_.end_object();
    }
    bool start_array(std::size_t size) {
        if (++depth_ > kMaxDepth) too_deep();
        if (capturing()) {
            if (mode_ == Mode::merges && depth_ == capture_depth_ + 1) {
                pair_.clear();
                return true;
            }
            return bad_value("an array");
        }
        if (depth_ == 3 && keys_[1] == "model" && keys_[2] == "merges")
            return begin_capture(Mode::merges);
        return dom_.start_array(size);
    }
    bool end_array() {
        if (!capturing()) {
            --depth_;
            return dom_.end_array();
        }
        if (depth_ == capture_depth_) {
            mode_ = Mode::none;
        } else if (pair_.size() == 2) {
            out_.merges.push_back({std::move(pair_[0]), std::move(pair_[1])});
        } else {
            throw InputError(merge_where(), "expected \"a b\" or [\"a\", \"b\"]");
        }
        --depth_;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
        // The library's message quotes the whole last token, which may be megabytes long.
        if (const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&e))
            throw InputError(source_, "not valid JSON: " + parse_error_summary(*parse));
        throw InputError(source_, "not valid JSON");
    }

  private:
    // Real files nest about 6 deep; the DOM built here is copied and dumped recursively.
    static constexpr int kMaxDepth = 64;
    [[noreturn]] void too_deep() const {
        throw InputError(source_, "nests deeper than " + std::to_string(kMaxDepth) + " levels");
    }

    enum class Mode { none, vocab, merges };
    bool capturing() const { return mode_ != Mode::none; }

    bool begin_capture(Mode mode) {
        mode_ = mode;
        capture_depth_ = depth_;
        if (mode == Mode::vocab) out_.vocab_streamed = true;
        if (mode == Mode::merges) out_.merges_streamed = true;
        return dom_.null();  // the DOM keeps a null in place of the streamed container
    }
    bool vocab_id(int64_t id) {
        if (mode_ != Mode::vocab) return bad_value("a number");
        out_.vocab.push_back({std::move(pending_key_), id});
        return true;
    }
    bool bad_value(const char* what) {
        if (mode_ == Mode::vocab) {
            throw InputError(source_ + ": model.vocab[" + json_excerpt(pending_key_) + "]",
                             std::string("expected a non-negative integer id, got ") + what);
        }
        throw InputError(merge_where(),
                         std::string("expected \"a b\" or [\"a\", \"b\"], got ") + what);
    }
    std::string merge_where() const {
        return source_ + ": model.merges[" + std::to_string(out_.merges.size()) + "]";
    }

    TokenizerJson& out_;
    std::string source_;
    nlohmann::detail::json_sax_dom_parser<Json> dom_;
    Mode mode_ = Mode::none;
    int depth_ = 0;
    int capture_depth_ = 0;
    std::string keys_[3];
    std::string pending_key_;
    std::vector<std::string> pair_;
};

}  // namespace

TokenizerJson parse_tokenizer_json(const std::string& text, const std::string& source_name) {
    TokenizerJson out;
    Handler handler(out, source_name);
    Json::sax_parse(text, &handler);
    return out;
}

MergeEntry parse_merge(const nlohmann::json& merge, const std::string& where) {
    if (merge.is_string()) return split_merge_string(merge.get<std::string>(), where);
    if (merge.is_array() && merge.size() == 2 && merge[0].is_string() && merge[1].is_string()) {
        return {merge[0].get<std::string>(), merge[1].get<std::string>()};
    }
    throw InputError(where, "expected \"a b\" or [\"a\", \"b\"]");
}

}  // namespace remask
