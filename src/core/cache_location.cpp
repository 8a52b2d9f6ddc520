#include "core/cache_location.h"

#include <cctype>

#include "core/error.h"

namespace remask {

namespace {

// The query's parameter names (before '='), lower-cased.
bool query_has_parameter(const std::string& url, const std::string& name) {
    size_t question = url.find('?');
    if (question == std::string::npos) return false;
    size_t at = question + 1;
    while (at <= url.size()) {
        size_t end = url.find('&', at);
        if (end == std::string::npos) end = url.size();
        std::string pair = url.substr(at, end - at);
        std::string key = pair.substr(0, pair.find('='));
        for (char& c : key) c = char(std::tolower(static_cast<unsigned char>(c)));
        if (key == name) return true;
        at = end + 1;
    }
    return false;
}

}  // namespace

bool looks_like_url(const std::string& value) {
    size_t colon = value.find("://");
    if (colon == std::string::npos || colon == 0) return false;
    if (!std::isalpha(static_cast<unsigned char>(value[0]))) return false;
    for (size_t i = 1; i < colon; ++i) {
        char c = value[i];
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '.' && c != '-') return false;
    }
    return true;
}

bool is_postgres_url(const std::string& value) {
    return value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0;
}

void check_cache_location(const std::string& value, const std::string& where) {
    if (!looks_like_url(value)) return;
    if (!is_postgres_url(value))
        throw InputError(where, "'" + value.substr(0, value.find("://")) +
                                    "://' is not a cache backend: give a file path (SQLite) or a "
                                    "postgresql:// URL");
    size_t authority = value.find("://") + 3;
    size_t authority_end = value.find_first_of("/?", authority);
    std::string host_part = value.substr(authority, authority_end == std::string::npos
                                                        ? std::string::npos
                                                        : authority_end - authority);
    size_t at = host_part.rfind('@');
    bool userinfo_password = at != std::string::npos && host_part.substr(0, at).find(':') != std::string::npos;
    if (userinfo_password || query_has_parameter(value, "password") ||
        query_has_parameter(value, "sslpassword"))
        throw InputError(where,
                         "a password in the cache URL is refused (it would be written to the run's "
                         "config.toml): put it in PGPASSWORD or ~/.pgpass, which libpq reads");
}

}  // namespace remask
