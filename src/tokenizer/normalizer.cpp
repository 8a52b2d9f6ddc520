#include "tokenizer/normalizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <vector>

#include "tokenizer/json_fields.h"
#include "tokenizer/regex.h"
#include "tokenizer/unicode_text.h"

namespace remask {

namespace {

// Code points assigned after Unicode 9.0 (see scripts/make_unicode9_table.py).
constexpr std::pair<char32_t, char32_t> kNewerThanUnicode9[] = {
#include "tokenizer/unicode9_newer.inc"
};

bool is_newer_than_unicode9(char32_t cp) {
    const auto it =
        std::upper_bound(std::begin(kNewerThanUnicode9), std::end(kNewerThanUnicode9), cp,
                         [](char32_t value, const auto& range) { return value < range.first; });
    return it != std::begin(kNewerThanUnicode9) && cp <= std::prev(it)->second;
}

// The Unicode normalization forms, with the reference's Unicode 9.0 view of which
// characters exist: a character added later is a starter that nothing composes with, so
// it is copied unchanged and the text between such characters is normalized on its own.
class UnicodeForm : public Normalizer {
  public:
    UnicodeForm(utf8proc_option_t options, char32_t stable_below)
        : options_(options), stable_below_(stable_below) {}

    void normalize(std::string& text) const override {
        if (is_stable(text)) return;
        std::string out;
        out.reserve(text.size() + text.size() / 4);
        size_t run_start = 0, pos = 0;
        while (pos < text.size()) {
            const size_t start = pos;
            const char32_t cp = unicode::next_code_point(text, pos);
            if (cp < 0x300 || !is_newer_than_unicode9(cp)) continue;
            append_normalized(std::string_view(text).substr(run_start, start - run_start), out);
            out.append(text, start, pos - start);
            run_start = pos;
        }
        append_normalized(std::string_view(text).substr(run_start), out);
        text.swap(out);
    }

  private:
    void append_normalized(std::string_view run, std::string& out) const {
        if (run.empty()) return;
        utf8proc_uint8_t* result = nullptr;
        const auto length =
            utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(run.data()),
                         static_cast<utf8proc_ssize_t>(run.size()), &result,
                         static_cast<utf8proc_option_t>(options_ | UTF8PROC_STABLE));
        if (length < 0)
            throw InputError(
                "text", std::string("Unicode normalization failed: ") + utf8proc_errmsg(length));
        out.append(reinterpret_cast<const char*>(result), static_cast<size_t>(length));
        std::free(result);
    }

  public:
  private:
    // Text made only of code points below stable_below_ is unchanged by this form (for NFC
    // and NFD: below U+00C0 / U+0300 nothing decomposes or combines), the common fast path.
    bool is_stable(const std::string& text) const {
        size_t pos = 0;
        while (pos < text.size()) {
            if (static_cast<uint8_t>(text[pos]) < 0x80) {
                ++pos;
                continue;
            }
            if (unicode::next_code_point(text, pos) >= stable_below_) return false;
        }
        return true;
    }

    utf8proc_option_t options_;
    char32_t stable_below_;
};

class Lowercase : public Normalizer {
  public:
    void normalize(std::string& text) const override {
        std::string out;
        out.reserve(text.size());
        size_t pos = 0;
        while (pos < text.size()) {
            const char32_t cp = unicode::next_code_point(text, pos);
            if (cp == 0x130) {  // the one full lowercase mapping that is longer than one char
                out += "i\xCC\x87";
                continue;
            }
            unicode::append_utf8(
                out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp))));
        }
        text.swap(out);
    }
};

class Strip : public Normalizer {
  public:
    Strip(bool left, bool right) : left_(left), right_(right) {}
    void normalize(std::string& text) const override {
        size_t begin = 0, end = text.size();
        if (left_) {
            while (begin < end) {
                size_t next = begin;
                if (!unicode::is_whitespace(unicode::next_code_point(text, next))) break;
                begin = next;
            }
        }
        if (right_) {
            while (end > begin) {
                size_t previous = end;
                if (!unicode::is_whitespace(unicode::previous_code_point(text, previous))) break;
                end = previous;
            }
        }
        text = text.substr(begin, end - begin);
    }

  private:
    bool left_, right_;
};

class Replace : public Normalizer {
  public:
    Replace(const nlohmann::json& spec, const std::string& where) {
        const auto& pattern = json_fields::require(spec, "pattern", where);
        content_ = json_fields::require_string(spec, "content", where);
        if (pattern.contains("String")) {
            literal_ = json_fields::require_string(pattern, "String", where + ".pattern");
            if (literal_.empty()) throw InputError(where + ".pattern.String", "empty pattern");
        } else {
            regex_ = std::make_unique<Regex>(
                json_fields::require_string(pattern, "Regex", where + ".pattern"),
                where + ".pattern.Regex");
        }
    }

    void normalize(std::string& text) const override {
        std::string out;
        size_t previous = 0;
        const auto on_match = [&](size_t start, size_t end) {
            out.append(text, previous, start - previous);
            out += content_;
            previous = end;
        };
        if (regex_) {
            regex_->for_each_match(text, on_match);
        } else {
            for (size_t at = text.find(literal_); at != std::string::npos;
                 at = text.find(literal_, at + literal_.size())) {
                on_match(at, at + literal_.size());
            }
        }
        out.append(text, previous, std::string::npos);
        text.swap(out);
    }

  private:
    std::string literal_;
    std::unique_ptr<Regex> regex_;
    std::string content_;
};

class Prepend : public Normalizer {
  public:
    explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
    void normalize(std::string& text) const override {
        if (!text.empty()) text.insert(0, prefix_);
    }

  private:
    std::string prefix_;
};

class NormalizerSequence : public Normalizer {
  public:
    explicit NormalizerSequence(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
    void normalize(std::string& text) const override {
        for (const auto& step : steps_) step->normalize(text);
    }

  private:
    std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& spec, const std::string& where) {
    if (spec.is_null()) return nullptr;
    const std::string type = json_fields::require_string(spec, "type", where);
    if (type == "NFC") return std::make_unique<UnicodeForm>(UTF8PROC_COMPOSE, 0x300);
    if (type == "NFD") return std::make_unique<UnicodeForm>(UTF8PROC_DECOMPOSE, 0xC0);
    if (type == "NFKC")
        return std::make_unique<UnicodeForm>(
            static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_COMPAT), 0xA0);
    if (type == "NFKD")
        return std::make_unique<UnicodeForm>(
            static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT), 0xA0);
    if (type == "Lowercase") return std::make_unique<Lowercase>();
    if (type == "Strip") {
        return std::make_unique<Strip>(
            json_fields::optional_bool(spec, "strip_left", true, where),
            json_fields::optional_bool(spec, "strip_right", true, where));
    }
    if (type == "Replace") return std::make_unique<Replace>(spec, where);
    if (type == "Prepend")
        return std::make_unique<Prepend>(json_fields::require_string(spec, "prepend", where));
    if (type == "Sequence") {
        const auto& list = json_fields::require(spec, "normalizers", where);
        if (!list.is_array()) throw InputError(where + ".normalizers", "expected an array");
        std::vector<std::unique_ptr<Normalizer>> steps;
        for (size_t i = 0; i < list.size(); ++i) {
            auto step = make_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]");
            if (step) steps.push_back(std::move(step));
        }
        return std::make_unique<NormalizerSequence>(std::move(steps));
    }
    throw InputError(
        where + ".type",
        "unsupported normalizer type '" + type +
            "' (supported: NFC, NFD, NFKC, NFKD, Lowercase, Strip, Replace, Prepend, Sequence)");
}

}  // namespace remask
