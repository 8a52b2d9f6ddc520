#include "llm/call_cache.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include "core/cache_location.h"
#include "llm/postgres_call_cache.h"
#include "llm/retrying_call_cache.h"
#include "llm/sqlite_call_cache.h"

namespace remask {

std::shared_ptr<CallCache> CallCache::open_shared(const std::string& location) {
    static std::mutex registry_mutex;
    static std::map<std::string, std::weak_ptr<CallCache>> registry;
    check_cache_location(location, "cache");
    std::lock_guard lock(registry_mutex);
    bool database = is_postgres_url(location);
    std::string canonical =
        database ? location : std::filesystem::absolute(location).lexically_normal().string();
    if (auto existing = registry[canonical].lock()) return existing;
    std::shared_ptr<CallCache> cache;
    if (database)
        cache = std::make_shared<PostgresCallCache>(location);
    else
        cache = std::make_shared<SqliteCallCache>(location);
    // A failed commit after a paid call keeps the answer instead of throwing it away.
    cache = std::make_shared<RetryingCallCache>(std::move(cache));
    registry[canonical] = cache;
    return cache;
}

std::string default_cache_path() {
    if (const char* env = std::getenv("REMASK_CACHE"); env && *env) return env;
    const char* home = std::getenv("HOME");
    std::filesystem::path base = (home && *home) ? std::filesystem::path(home) / ".cache" : ".cache";
    return (base / "remask" / "calls.sqlite").string();
}

}  // namespace remask
