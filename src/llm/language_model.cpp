#include "llm/language_model.h"

#include <algorithm>
#include <atomic>
#include <thread>

namespace remask {

const ChatResponse& ChatOutcome::value() const {
    if (!response) std::rethrow_exception(error);
    return *response;
}

ChatOutcome chat_outcome(LanguageModel& model, const ChatRequest& request) {
    ChatOutcome outcome;
    try {
        outcome.response = model.chat(request);
    } catch (const std::exception& e) {
        outcome.error = std::current_exception();
        outcome.error_message = e.what();
    }
    return outcome;
}

std::vector<ChatOutcome> run_chat_batch(LanguageModel& model, const std::vector<ChatRequest>& requests,
                                        size_t concurrency) {
    std::vector<ChatOutcome> outcomes(requests.size());
    size_t workers = std::min(std::max<size_t>(concurrency, 1), requests.size());
    if (workers <= 1) {
        for (size_t i = 0; i < requests.size(); ++i) outcomes[i] = chat_outcome(model, requests[i]);
        return outcomes;
    }
    // Workers pull the next index: each writes only its own slots, so no lock is needed.
    std::atomic<size_t> next{0};
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (size_t w = 0; w < workers; ++w) {
        threads.emplace_back([&] {
            for (size_t i = next++; i < requests.size(); i = next++)
                outcomes[i] = chat_outcome(model, requests[i]);
        });
    }
    for (auto& thread : threads) thread.join();
    return outcomes;
}

std::vector<ChatOutcome> LanguageModel::chat_batch(const std::vector<ChatRequest>& requests) {
    return run_chat_batch(*this, requests, 1);
}

}  // namespace remask
