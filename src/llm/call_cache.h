#pragma once
// The call cache: answers of finished calls, keyed by the SHA-256 of the canonical request
// (llm/chat_json.h: cache_key). One interface, one file per backend:
//   a file path            → SqliteCallCache (llm/sqlite_call_cache.h), the default
//   postgresql://… URL     → PostgresCallCache (llm/postgres_call_cache.h), shared by many
//                            processes and machines
//
//   auto cache = CallCache::open_shared(default_cache_path());
//   if (auto hit = cache->find_or_lease(key)) return *hit;   // no call made
//   CacheLeaseGuard lease(*cache, key);                        // released if the call fails
//   ... call ...
//   cache->store(key, model, response);   // committed before it is used; ends the lease
//
// Promises of every backend: store() returns only once the answer is committed, so a
// killed process loses nothing it stored; only responses are stored, never request headers
// or keys. Thread-safe. open_shared() wraps the backend in a RetryingCallCache
// (llm/retrying_call_cache.h): an answer whose commit fails (a full disk) is kept in memory,
// used, and committed with a later store instead of being lost.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "llm/language_model.h"

namespace remask {

class CallCache {
public:
    virtual ~CallCache() = default;

    // One CallCache per location in this process, shared by every client that names it.
    // Throws InputError for a location that is neither a file path nor a postgresql:// URL
    // without a password, ExternalError when the cache cannot be opened.
    static std::shared_ptr<CallCache> open_shared(const std::string& location);

    virtual std::optional<ChatResponse> find(const std::string& key) = 0;

    // Single-flight: the committed answer, or nullopt once this caller holds the request's
    // lease and must send it (then store() or release_lease()). While another holder's
    // lease is live this waits for its answer. Backends without leases just find().
    virtual std::optional<ChatResponse> find_or_lease(const std::string& key) { return find(key); }
    virtual void release_lease(const std::string& key) { (void)key; }

    virtual void store(const std::string& key, const std::string& model, const ChatResponse& response) = 0;
    virtual int64_t size() = 0;
    // The file path or URL (never a secret: URLs with passwords are refused).
    virtual const std::string& location() const = 0;
};

// Releases a lease taken by find_or_lease() unless the answer was stored.
class CacheLeaseGuard {
public:
    CacheLeaseGuard(CallCache* cache, std::string key) : cache_(cache), key_(std::move(key)) {}
    ~CacheLeaseGuard() {
        if (cache_) cache_->release_lease(key_);
    }
    void stored() { cache_ = nullptr; }
    CacheLeaseGuard(const CacheLeaseGuard&) = delete;
    CacheLeaseGuard& operator=(const CacheLeaseGuard&) = delete;

private:
    CallCache* cache_;
    std::string key_;
};

// $REMASK_CACHE when set, else ~/.cache/remask/calls.sqlite ($HOME; else the current folder).
std::string default_cache_path();

}  // namespace remask
