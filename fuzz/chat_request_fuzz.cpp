// A /v1/chat/completions request body as `remask serve` parses it (bounded JSON, then the schema).
#include "fuzz_support.h"
#include "core/json_limits.h"
#include "server/api_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nlohmann::json body;
    try {
        body = remask::parse_json_limited(remask::fuzz::as_text(data, size), {64, 65536});
    } catch (const nlohmann::json::parse_error&) {
        return 0;
    } catch (const remask::JsonLimitError&) {
        return 0;
    }
    try {
        remask::api::ChatCompletionRequest request = remask::api::parse_chat_completion_request(body);
        (void)remask::api::to_json(request).dump();
    } catch (const remask::api::HttpError&) {
    }
    return 0;
}
