#pragma once
// Reply-vs-reference metrics of the jsonl task that need no model. Each returns a Scored
// with a feedback sentence; an empty reply (or, for numeric, one with no number) is a parse
// failure scoring 0.

#include <optional>
#include <string>

#include "tasks/task.h"

namespace remask {

// Trimmed, internal whitespace runs collapsed to one space, ASCII lower case.
std::string normalize_for_exact(const std::string& text);

Scored score_exact(const std::string& expected, const std::string& reply);
Scored score_contains(const std::string& expected, const std::string& reply);
// pattern: ECMAScript; must already be known to compile (checked when the data is loaded).
Scored score_regex(const std::string& pattern, const std::string& reply);
Scored score_numeric(double expected, double tolerance, const std::string& reply);

// The last number written in text: optional sign, digits with optional thousands commas
// ("1,234"), optional fraction and exponent; nullopt when there is none.
std::optional<double> last_number(const std::string& text);

// Parses a whole string as a number ("3", "-2.5e3", " 1,000 "); nullopt otherwise.
std::optional<double> parse_number(const std::string& text);

}  // namespace remask
