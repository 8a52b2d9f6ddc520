#include "tasks/label_parser.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string_view>

namespace remask {
namespace {

constexpr std::array<std::string_view, 13> kNegators = {
    "not", "no", "never", "nor", "neither", "isnt", "arent", "wasnt", "werent",
    "dont", "doesnt", "didnt", "hardly"};

bool is_negator(const std::string& word) {
    return std::find(kNegators.begin(), kNegators.end(), word) != kNegators.end();
}

bool matches_at(const std::vector<std::string>& words, size_t at,
                const std::vector<std::string>& phrase) {
    if (phrase.empty() || at + phrase.size() > words.size()) return false;
    return std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<long>(at));
}

}  // namespace

std::vector<std::string> LabelParser::words(const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\'' || c == '`') continue;
        // U+2019 RIGHT SINGLE QUOTATION MARK (E2 80 99), the typographic apostrophe.
        if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
            static_cast<unsigned char>(text[i + 2]) == 0x99) {
            i += 2;
            continue;
        }
        if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
            current.push_back(static_cast<char>(c));
        } else if (c >= 'A' && c <= 'Z') {
            current.push_back(static_cast<char>(c - 'A' + 'a'));
        } else {
            flush();
        }
    }
    flush();
    return out;
}

LabelParser::LabelParser(std::vector<std::string> labels) : labels_(std::move(labels)) {
    for (const auto& label : labels_) {
        label_words_.push_back(words(label));
        assert(!label_words_.back().empty() && "a label must contain a letter or digit");
    }
}

LabelParse LabelParser::parse(const std::string& reply) const {
    LabelParse result;
    const auto reply_words = words(reply);
    if (reply_words.empty()) {
        result.outcome = LabelParse::Outcome::empty_reply;
        return result;
    }
    for (size_t k = 0; k < label_words_.size(); ++k) {
        if (label_words_[k] == reply_words) {
            result.outcome = LabelParse::Outcome::found;
            result.label = static_cast<int>(k);
            return result;
        }
    }
    for (size_t at = 0; at < reply_words.size();) {
        int best = -1;
        for (size_t k = 0; k < label_words_.size(); ++k) {
            if (!matches_at(reply_words, at, label_words_[k])) continue;
            if (best < 0 || label_words_[k].size() > label_words_[static_cast<size_t>(best)].size())
                best = static_cast<int>(k);
        }
        if (best < 0) {
            ++at;
            continue;
        }
        const size_t length = label_words_[static_cast<size_t>(best)].size();
        if (at > 0 && is_negator(reply_words[at - 1])) {
            if (result.negated_mention.empty())
                result.negated_mention = reply_words[at - 1] + " " + labels_[static_cast<size_t>(best)];
            at += length;
            continue;
        }
        result.outcome = LabelParse::Outcome::found;
        result.label = best;
        return result;
    }
    result.outcome = result.negated_mention.empty() ? LabelParse::Outcome::no_label
                                                    : LabelParse::Outcome::only_negated;
    return result;
}

}  // namespace remask
