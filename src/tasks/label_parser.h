#pragma once
// Reads a label from a free-text reply. The rules (also in docs/tasks.md):
//  1. Normalize: ASCII lower case; apostrophes dropped ("isn't" → "isnt"); every other
//     ASCII character that is not a letter or digit becomes a space (so "**Positive**.",
//     "very-positive" and "very_positive" read as words). Labels are normalized the same way.
//  2. If the whole reply is exactly one label, that is the answer.
//  3. Otherwise scan the words left to right; at each word the longest label that starts
//     there matches ("very positive" beats "positive").
//  4. A match right after a negator (not, no, never, nor, neither, isnt, arent, wasnt,
//     werent, dont, doesnt, didnt, hardly) is skipped: "not positive" names no label.
//  5. The first remaining match wins, even if other labels follow ("Positive, though with
//     negative moments" → positive).
//  6. No match: the reply is unparseable (empty, no label word, or only negated ones).
// Whole words only: "positively" and "negativity" are not labels.

#include <string>
#include <vector>

namespace remask {

struct LabelParse {
    enum class Outcome { found, empty_reply, no_label, only_negated };
    Outcome outcome = Outcome::no_label;
    int label = -1;                // index into the parser's labels when found
    std::string negated_mention;   // only_negated: the first negated phrase, e.g. "not positive"
};

class LabelParser {
public:
    explicit LabelParser(std::vector<std::string> labels);

    LabelParse parse(const std::string& reply) const;
    const std::vector<std::string>& labels() const { return labels_; }

    // The normalized words of a text (rule 1), exposed for tests and other metrics.
    static std::vector<std::string> words(const std::string& text);

private:
    std::vector<std::string> labels_;
    std::vector<std::vector<std::string>> label_words_;
};

}  // namespace remask
