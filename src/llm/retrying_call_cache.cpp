#include "llm/retrying_call_cache.h"

#include <vector>

#include "core/error.h"
#include "core/log.h"

namespace remask {

RetryingCallCache::RetryingCallCache(std::shared_ptr<CallCache> backend, size_t max_kept_bytes)
    : backend_(std::move(backend)), max_kept_bytes_(max_kept_bytes) {}

RetryingCallCache::~RetryingCallCache() {
    if (kept_.empty()) return;
    std::string error = commit_kept();
    if (!kept_.empty())
        // A warning: the run's own results (its journal) do not depend on the cache.
        log_warn("cache ", location(), ": ", kept_.size(),
                 " answers could not be saved and are lost: ", error);
}

size_t RetryingCallCache::kept_answers() {
    std::lock_guard lock(mutex_);
    return kept_.size();
}

std::optional<ChatResponse> RetryingCallCache::find_kept(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = kept_.find(key);
    if (it == kept_.end()) return std::nullopt;
    ChatResponse hit = it->second.response;
    hit.cached = true;
    return hit;
}

std::optional<ChatResponse> RetryingCallCache::find(const std::string& key) {
    if (auto hit = find_kept(key)) return hit;
    return backend_->find(key);
}

std::optional<ChatResponse> RetryingCallCache::find_or_lease(const std::string& key) {
    if (auto hit = find_kept(key)) return hit;
    return backend_->find_or_lease(key);
}

void RetryingCallCache::store(const std::string& key, const std::string& model,
                              const ChatResponse& response) {
    try {
        backend_->store(key, model, response);
    } catch (const ExternalError& e) {
        keep(key, model, response, e.what());
        return;
    }
    bool retry = false;
    {
        std::lock_guard lock(mutex_);
        retry = !kept_.empty() && !committing_kept_;
        if (retry) committing_kept_ = true;
    }
    if (retry) commit_kept();
}

void RetryingCallCache::keep(const std::string& key, const std::string& model,
                             const ChatResponse& response, const std::string& error) {
    // Others waiting on this request's lease get it when their lease wait ends.
    try {
        backend_->release_lease(key);
    } catch (const std::exception&) {
    }
    std::lock_guard lock(mutex_);
    size_t bytes = key.size() + model.size() + response.message.content.size() + 256;
    auto [it, fresh] = kept_.try_emplace(key, Kept{model, response, bytes});
    if (fresh) kept_bytes_ += bytes;
    if (!warned_) {
        warned_ = true;
        log_warn(error, "; the answer is kept in memory and saved with a later one");
    }
    if (kept_bytes_ > max_kept_bytes_)
        throw ExternalError("cache " + backend_->location(),
                            "cannot save answers (" + error + ") and " + std::to_string(kept_.size()) +
                                " wait in memory: stopping; free space, then resume");
}

std::string RetryingCallCache::commit_kept() {
    std::vector<std::pair<std::string, Kept>> batch;
    {
        std::lock_guard lock(mutex_);
        batch.assign(kept_.begin(), kept_.end());
    }
    std::string error;
    size_t saved = 0;
    for (auto& [key, kept] : batch) {
        try {
            backend_->store(key, kept.model, kept.response);
        } catch (const ExternalError& e) {
            error = e.what();
            break;
        }
        ++saved;
        std::lock_guard lock(mutex_);
        kept_bytes_ -= kept.bytes;
        kept_.erase(key);
    }
    std::lock_guard lock(mutex_);
    committing_kept_ = false;
    if (kept_.empty()) warned_ = false;
    if (saved > 0) log_info("cache ", backend_->location(), ": saved ", saved, " kept answers");
    return error;
}

}  // namespace remask
