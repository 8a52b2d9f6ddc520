#pragma once
// Keeps paid answers whose commit failed (a full disk, a lost database connection): wraps
// any CallCache backend (CallCache::open_shared wraps every one it opens).
//
//   store() that fails  → the answer stays in memory, find() serves it, a warning is logged
//                         once per run of failures; the store returns normally
//   the next store()    → once a commit works again, every kept answer is committed too
//   too much kept       → more than max_kept_bytes waiting: store() throws ExternalError,
//                         the one line that stops the run
//   destruction         → a last commit of what is kept; what still fails is named in a
//                         warning
//
// Thread-safe like the backend it wraps.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "llm/call_cache.h"

namespace remask {

class RetryingCallCache : public CallCache {
public:
    static constexpr size_t kMaxKeptBytes = 256u << 20;

    explicit RetryingCallCache(std::shared_ptr<CallCache> backend, size_t max_kept_bytes = kMaxKeptBytes);
    ~RetryingCallCache() override;

    std::optional<ChatResponse> find(const std::string& key) override;
    std::optional<ChatResponse> find_or_lease(const std::string& key) override;
    void release_lease(const std::string& key) override { backend_->release_lease(key); }
    void store(const std::string& key, const std::string& model, const ChatResponse& response) override;
    int64_t size() override { return backend_->size(); }
    const std::string& location() const override { return backend_->location(); }

    // Answers waiting in memory for a commit that works.
    size_t kept_answers();

private:
    struct Kept {
        std::string model;
        ChatResponse response;
        size_t bytes = 0;
    };
    std::optional<ChatResponse> find_kept(const std::string& key);
    void keep(const std::string& key, const std::string& model, const ChatResponse& response,
              const std::string& error);
    // Commits kept answers; stops at the first failure. Returns the last error or "".
    std::string commit_kept();

    std::shared_ptr<CallCache> backend_;
    size_t max_kept_bytes_;
    std::mutex mutex_;
    std::map<std::string, Kept> kept_;
    size_t kept_bytes_ = 0;
    bool committing_kept_ = false;
    bool warned_ = false;
};

}  // namespace remask
