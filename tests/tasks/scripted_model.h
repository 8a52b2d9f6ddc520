#pragma once
// A scripted fake target for tests: a fixed reply per user message (the sentence), with
// usage and a cached flag, counting calls and the most calls it saw in flight at once.

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"
#include "llm/language_model.h"

namespace remask::testing {

class ScriptedModel : public LanguageModel {
public:
    struct Script {
        std::string reply;
        bool cached = false;
        bool fail = false;  // throw ExternalError instead of answering
    };

    void on(const std::string& user_message, std::string reply, bool cached = false) {
        scripts_[user_message] = {std::move(reply), cached, false};
    }
    void fail_on(const std::string& user_message) { scripts_[user_message] = {"", false, true}; }

    ChatResponse chat(const ChatRequest& request) override {
        const int now = ++in_flight_;
        int seen = max_in_flight_.load();
        while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
        }
        ChatResponse response;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            requests_.push_back(request);
        }
        const std::string& user = request.messages.back().content;
        const auto it = scripts_.find(user);
        --in_flight_;
        if (it == scripts_.end()) throw ExternalError("scripted model", "no reply scripted for: " + user);
        if (it->second.fail) throw ExternalError("scripted model", "HTTP 500 for: " + user);
        response.message.role = "assistant";
        response.message.content = it->second.reply;
        response.cached = it->second.cached;
        response.usage.prompt_tokens = static_cast<int64_t>(user.size());
        response.usage.completion_tokens = static_cast<int64_t>(it->second.reply.size());
        response.finish_reason = "stop";
        return response;
    }
    std::string describe() const override { return "scripted"; }

    std::vector<ChatRequest> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    int max_in_flight() const { return max_in_flight_.load(); }

private:
    std::map<std::string, Script> scripts_;
    mutable std::mutex mutex_;
    std::vector<ChatRequest> requests_;
    std::atomic<int> in_flight_{0};
    std::atomic<int> max_in_flight_{0};
};

}  // namespace remask::testing
