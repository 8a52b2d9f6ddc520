#include "tokenizer/pre_tokenizer.h"

#include <algorithm>

#include "tokenizer/json_fields.h"
#include "tokenizer/regex.h"

namespace remask {

namespace {

// Every match and every stretch between matches becomes a piece, in order (HF's "Isolated").
void split_isolated(const Regex& regex, std::string_view text, std::vector<std::string_view>& out) {
    size_t previous = 0;
    regex.for_each_match(text, [&](size_t start, size_t end) {
        if (start > previous) out.push_back(text.substr(previous, start - previous));
        if (end > start) out.push_back(text.substr(start, end - start));
        previous = end;
    });
    if (previous < text.size()) out.push_back(text.substr(previous));
}

enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

struct Span {
    size_t start, end;
    bool is_match;
};

// Hugging Face's rules for turning matches into pieces (SplitDelimiterBehavior).
void apply_behavior(std::string_view text, std::vector<Span>& spans, SplitBehavior behavior,
                    std::vector<std::string_view>& out) {
    std::vector<Span> merged;
    switch (behavior) {
        case SplitBehavior::removed:
            for (const Span& s : spans) {
                if (!s.is_match) merged.push_back(s);
            }
            break;
        case SplitBehavior::isolated:
            merged = spans;
            break;
        case SplitBehavior::merged_with_previous: {
            bool previous_match = false;
            for (const Span& s : spans) {
                if (s.is_match && !previous_match && !merged.empty()) {
                    merged.back().end = s.end;
                } else {
                    merged.push_back(s);
                }
                previous_match = s.is_match;
            }
            break;
        }
        case SplitBehavior::merged_with_next: {
            bool previous_match = false;
            for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
                if (it->is_match && !previous_match && !merged.empty()) {
                    merged.back().start = it->start;
                } else {
                    merged.push_back(*it);
                }
                previous_match = it->is_match;
            }
            std::reverse(merged.begin(), merged.end());
            break;
        }
        case SplitBehavior::contiguous: {
            bool previous_match = false;
            for (const Span& s : spans) {
                if (s.is_match == previous_match && !merged.empty()) {
                    merged.back().end = s.end;
                } else {
                    merged.push_back(s);
                }
                previous_match = s.is_match;
            }
            break;
        }
    }
    for (const Span& s : merged) {
        if (s.end > s.start) out.push_back(text.substr(s.start, s.end - s.start));
    }
}

class Split : public PreTokenizer {
  public:
    Split(const nlohmann::json& spec, const std::string& where) {
        const auto& pattern = json_fields::require(spec, "pattern", where);
        if (pattern.is_object() && pattern.contains("String")) {
            literal_ = json_fields::require_string(pattern, "String", where + ".pattern");
        } else {
            regex_ = std::make_unique<Regex>(
                json_fields::require_string(pattern, "Regex", where + ".pattern"),
                where + ".pattern.Regex");
        }
        const std::string behavior = json_fields::require_string(spec, "behavior", where);
        if (behavior == "Removed")
            behavior_ = SplitBehavior::removed;
        else if (behavior == "Isolated")
            behavior_ = SplitBehavior::isolated;
        else if (behavior == "MergedWithPrevious")
            behavior_ = SplitBehavior::merged_with_previous;
        else if (behavior == "MergedWithNext")
            behavior_ = SplitBehavior::merged_with_next;
        else if (behavior == "Contiguous")
            behavior_ = SplitBehavior::contiguous;
        else
            throw InputError(where + ".behavior", "unknown split behavior '" + behavior + "'");
        invert_ = json_fields::optional_bool(spec, "invert", false, where);
    }

    void split(std::string_view text, std::vector<std::string_view>& out,
               std::deque<std::string>&) const override {
        if (text.empty()) return;
        // Fast path for the common case: isolated regex matches become the pieces directly.
        if (behavior_ == SplitBehavior::isolated && regex_) {
            split_isolated(*regex_, text, out);
            return;
        }
        std::vector<Span> spans;
        size_t previous = 0;
        const auto on_match = [&](size_t start, size_t end) {
            if (start > previous) spans.push_back({previous, start, invert_});
            spans.push_back({start, end, !invert_});
            previous = end;
        };
        if (regex_) {
            regex_->for_each_match(text, on_match);
        } else if (!literal_.empty()) {
            for (size_t at = text.find(literal_); at != std::string_view::npos;
                 at = text.find(literal_, at + literal_.size())) {
                on_match(at, at + literal_.size());
            }
        }
        if (previous < text.size()) spans.push_back({previous, text.size(), invert_});
        apply_behavior(text, spans, behavior_, out);
    }

  private:
    std::string literal_;
    std::unique_ptr<Regex> regex_;
    SplitBehavior behavior_ = SplitBehavior::isolated;
    bool invert_ = false;
};

// GPT-2's pre-tokenization regex, used by ByteLevel when use_regex is true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

class ByteLevelPreTokenizer : public PreTokenizer {
  public:
    ByteLevelPreTokenizer(const nlohmann::json& spec, const std::string& where) {
        add_prefix_space_ = json_fields::optional_bool(spec, "add_prefix_space", true, where);
        if (json_fields::optional_bool(spec, "use_regex", true, where)) {
            regex_ = std::make_unique<Regex>(kGpt2Pattern, where + " (GPT-2 regex)");
        }
    }

    void split(std::string_view text, std::vector<std::string_view>& out,
               std::deque<std::string>& arena) const override {
        if (text.empty()) return;
        if (add_prefix_space_ && text.front() != ' ') {
            arena.push_back(" ");
            arena.back().append(text);
            text = arena.back();
        }
        if (!regex_) {
            out.push_back(text);
            return;
        }
        split_isolated(*regex_, text, out);
    }

    bool ends_with_byte_level() const override { return true; }

  private:
    bool add_prefix_space_ = true;
    std::unique_ptr<Regex> regex_;
};

class PreTokenizerSequence : public PreTokenizer {
  public:
    explicit PreTokenizerSequence(std::vector<std::unique_ptr<PreTokenizer>> steps)
        : steps_(std::move(steps)) {}

    void split(std::string_view text, std::vector<std::string_view>& out,
               std::deque<std::string>& arena) const override {
        if (steps_.empty()) {
            if (!text.empty()) out.push_back(text);
            return;
        }
        std::vector<std::string_view> current{text}, next;
        for (size_t i = 0; i < steps_.size(); ++i) {
            std::vector<std::string_view>& target = (i + 1 == steps_.size()) ? out : next;
            for (const std::string_view piece : current) steps_[i]->split(piece, target, arena);
            if (i + 1 < steps_.size()) {
                current.swap(next);
                next.clear();
            }
        }
    }

    bool ends_with_byte_level() const override {
        return !steps_.empty() && steps_.back()->ends_with_byte_level();
    }
    bool contains_byte_level() const override {
        for (const auto& step : steps_) {
            if (step->contains_byte_level()) return true;
        }
        return false;
    }

  private:
    std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const nlohmann::json& spec,
                                                 const std::string& where) {
    if (spec.is_null()) return nullptr;
    const std::string type = json_fields::require_string(spec, "type", where);
    if (type == "Split") return std::make_unique<Split>(spec, where);
    if (type == "ByteLevel") return std::make_unique<ByteLevelPreTokenizer>(spec, where);
    if (type == "Sequence") {
        const auto& list = json_fields::require(spec, "pretokenizers", where);
        if (!list.is_array()) throw InputError(where + ".pretokenizers", "expected an array");
        std::vector<std::unique_ptr<PreTokenizer>> steps;
        for (size_t i = 0; i < list.size(); ++i) {
            auto step =
                make_pre_tokenizer(list[i], where + ".pretokenizers[" + std::to_string(i) + "]");
            if (step) steps.push_back(std::move(step));
        }
        return std::make_unique<PreTokenizerSequence>(std::move(steps));
    }
    throw InputError(where + ".type", "unsupported pre-tokenizer type '" + type +
                                          "' (supported: Split, ByteLevel, Sequence)");
}

}  // namespace remask
