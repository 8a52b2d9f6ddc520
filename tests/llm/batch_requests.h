#pragma once
// The batch the crash test runs, shared by the test and its child process so both compute
// the same cache keys.

#include <string>
#include <vector>

#include "core/settings.h"
#include "llm/language_model.h"

namespace remask::testing {

inline ChatRequest batch_request(int index) {
    ChatRequest request;
    request.messages.push_back(ChatMessage::of("system", "Answer briefly."));
    std::string text = "q";
    text += std::to_string(index);  // (not "q" + …: GCC 12 warns falsely on that when inlined)
    request.messages.push_back(ChatMessage::of("user", text));
    return request;
}

// Requests q{first} … q{first + count - 1}, in that order or reversed.
inline std::vector<ChatRequest> batch_requests(int count, int first = 0, bool reversed = false) {
    std::vector<ChatRequest> requests;
    for (int i = 0; i < count; ++i) requests.push_back(batch_request(reversed ? first + count - 1 - i : first + i));
    return requests;
}

inline EndpointSettings batch_endpoint(const std::string& base_url, int max_in_flight) {
    EndpointSettings settings;
    settings.base_url = base_url;
    settings.model = "fake-model";
    settings.api_key_env = "REMASK_TEST_UNSET_KEY";
    settings.max_in_flight = max_in_flight;
    settings.timeout_s = 10;
    return settings;
}

}  // namespace remask::testing
