// llm_batch_helper BASE_URL CACHE COUNT MAX_IN_FLIGHT [FIRST [reverse]]
// Runs the crash test's batch (q{FIRST} … in order, or reversed) through the openai client
// with the cache at CACHE (a file or a postgresql:// URL); prints the number of answers.
// The crash tests kill it with SIGKILL halfway.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "batch_requests.h"
#include "llm/openai_client.h"

int main(int argc, char** argv) {
    if (argc < 5 || argc > 7) {
        std::fprintf(stderr, "usage: llm_batch_helper BASE_URL CACHE COUNT MAX_IN_FLIGHT [FIRST [reverse]]\n");
        return 2;
    }
    remask::ClientOptions options;
    options.cache_path = argv[2];
    options.backoff.base_s = 0.001;
    int count = std::atoi(argv[3]);
    remask::OpenAIClient client(remask::testing::batch_endpoint(argv[1], std::atoi(argv[4])), options);
    int first = argc > 5 ? std::atoi(argv[5]) : 0;
    bool reversed = argc > 6 && std::string(argv[6]) == "reverse";
    auto outcomes = client.chat_batch(remask::testing::batch_requests(count, first, reversed));
    for (const auto& outcome : outcomes)
        if (!outcome.ok()) std::fprintf(stderr, "llm_batch_helper: %s\n", outcome.error_message.c_str());
    int answered = 0;
    for (const auto& outcome : outcomes) answered += outcome.ok();
    std::printf("%d\n", answered);
    return answered == count ? 0 : 1;
}
