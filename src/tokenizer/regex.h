#pragma once
// A compiled PCRE2 pattern (UTF + UCP, JIT when available) for the regexes tokenizer.json
// files carry. Immutable after construction, so one Regex may be used from many threads;
// per-thread match state lives in thread-local storage.

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace remask {

// pattern with \p{L} and \p{N} widened by the letters and numbers this PCRE2's Unicode
// tables lack but the reference's regex engine knows (regex_property_extra.inc, made by
// scripts/make_regex_property_table.py). Regex applies it to every pattern.
std::string widen_unicode_properties(const std::string& pattern);

class Regex {
  public:
    // Throws InputError(where, ...) when pattern does not compile.
    Regex(const std::string& pattern, const std::string& where);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // Calls on_match(start, end) for each non-overlapping match in subject, left to right,
    // like Oniguruma's find_iter: after an empty match the search resumes one character
    // later. subject must be valid UTF-8 (it is not checked again).
    void for_each_match(std::string_view subject,
                        const std::function<void(size_t, size_t)>& on_match) const;

    const std::string& pattern() const { return pattern_; }

  private:
    std::string pattern_;
    std::string where_;
    struct Compiled;
    std::unique_ptr<Compiled> compiled_;
};

}  // namespace remask
