// llm_batch_helper BASE_URL CACHE_PATH COUNT MAX_IN_FLIGHT
// Runs the crash test's batch through the openai client with the cache at CACHE_PATH;
// prints the number of answers. The test kills it with SIGKILL halfway.

#include <cstdio>
#include <cstdlib>

#include "batch_requests.h"
#include "llm/openai_client.h"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: llm_batch_helper BASE_URL CACHE_PATH COUNT MAX_IN_FLIGHT\n");
        return 2;
    }
    remask::ClientOptions options;
    options.cache_path = argv[2];
    options.backoff.base_s = 0.001;
    int count = std::atoi(argv[3]);
    remask::OpenAIClient client(remask::testing::batch_endpoint(argv[1], std::atoi(argv[4])), options);
    auto outcomes = client.chat_batch(remask::testing::batch_requests(count));
    int answered = 0;
    for (const auto& outcome : outcomes) answered += outcome.ok();
    std::printf("%d\n", answered);
    return answered == count ? 0 : 1;
}
