// An OpenAI-compatible server's reply body: a chat completion, or an error body. A
// parsed response must survive the call cache's round trip (response_to/from_json).
#include "fuzz_support.h"
#include "llm/chat_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string body(remask::fuzz::as_text(data, size));
    remask::ReplyParse parsed = remask::parse_chat_reply(body);
    if (parsed.response) {
        nlohmann::json stored = remask::response_to_json(*parsed.response);
        remask::ChatResponse back = remask::response_from_json(nlohmann::json::parse(
            stored.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
        (void)back;
    }
    (void)remask::server_error_message(body);
    return 0;
}
