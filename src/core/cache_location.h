#pragma once
// `[run] cache` / $REMASK_CACHE: a file path (SQLite) or a postgresql:// URL. Checked where
// the value is read, so a URL is never taken for a path (no folder named "postgresql:") and
// a secret never reaches config.toml: passwords go in libpq's PGPASSWORD or ~/.pgpass.

#include <string>

namespace remask {

// "scheme://…" (RFC 3986 scheme letters).
bool looks_like_url(const std::string& value);

// postgresql:// or postgres://.
bool is_postgres_url(const std::string& value);

// Throws InputError naming `where` for a URL of another scheme or a URL carrying a password
// (user:password@, password= or sslpassword=). The message never repeats the URL.
void check_cache_location(const std::string& value, const std::string& where);

}  // namespace remask
