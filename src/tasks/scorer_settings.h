#pragma once
// The [scorer] table (INTERFACES.md): where `metric = "webhook"` or `"exec"` sends each
// answer to be scored. Header-only so that core/settings can compose it without linking
// the tasks area; the scorers themselves live in scorer.h.

#include <ostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/toml_table.h"

namespace remask {

struct ScorerSettings {
    std::string url;                   // webhook: promptfoo-style scorer URL
    std::vector<std::string> command;  // exec: argv of a JSON-lines scorer process (no shell)
    double timeout_s = 30;
    int64_t max_retries = 2;
    int64_t max_in_flight = 8;
    std::string api_key_env;  // webhook: Bearer key, if the scorer wants one
    bool cache = true;        // cache scores like target replies
};

inline ScorerSettings read_scorer(TomlTable table) {
    ScorerSettings s;
    s.url = table.get_string("url", s.url);
    s.command = table.get_string_array("command", s.command);
    s.timeout_s = table.get_double("timeout_s", s.timeout_s);
    s.max_retries = table.get_int("max_retries", s.max_retries);
    s.max_in_flight = table.get_int("max_in_flight", s.max_in_flight);
    s.api_key_env = table.get_string("api_key_env", s.api_key_env);
    s.cache = table.get_bool("cache", s.cache);
    if (!s.url.empty() && !s.command.empty())
        throw InputError(table.where("command"),
                         "give either url (webhook) or command (exec), not both");
    if (s.timeout_s <= 0) throw InputError(table.where("timeout_s"), "must be positive");
    if (s.max_retries < 0) throw InputError(table.where("max_retries"), "must not be negative");
    if (s.max_in_flight < 1) throw InputError(table.where("max_in_flight"), "must be at least 1");
    table.reject_unknown_keys();
    return s;
}

// Checks that the metric has what it needs; `where` names the config for the message.
inline void require_scorer_for_metric(const std::string& metric, const ScorerSettings& s,
                                      const std::string& where) {
    if (metric == "webhook" && s.url.empty())
        throw InputError(where + ": [scorer] url", "metric \"webhook\" needs the scorer's URL");
    if (metric == "exec" && s.command.empty())
        throw InputError(
            where + ": [scorer] command",
            "metric \"exec\" needs the scorer's argv, e.g. [\"python3\", \"score.py\"]");
}

// `quote` writes one TOML string (the caller's escaping).
template <typename Quote>
void write_scorer(std::ostream& out, const ScorerSettings& s, Quote quote) {
    out << "[scorer]\n";
    if (!s.url.empty()) out << "url = " << quote(s.url) << "\n";
    if (!s.command.empty()) {
        out << "command = [";
        for (size_t i = 0; i < s.command.size(); ++i) out << (i ? ", " : "") << quote(s.command[i]);
        out << "]\n";
    }
    out << "timeout_s = " << s.timeout_s << "\n"
        << "max_retries = " << s.max_retries << "\n"
        << "max_in_flight = " << s.max_in_flight << "\n"
        << "api_key_env = " << quote(s.api_key_env) << "\n"
        << "cache = " << (s.cache ? "true" : "false") << "\n\n";
}

}  // namespace remask
