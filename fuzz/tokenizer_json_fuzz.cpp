// A tokenizer.json from outside, then text encoded and decoded with it. Input:
// <tokenizer.json bytes> "\n#TEXT#\n" <text bytes>.
#include "fuzz_support.h"
#include "core/error.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [json_text, text] = remask::fuzz::split_once(remask::fuzz::as_text(data, size), "\n#TEXT#\n");
    std::unique_ptr<remask::Tokenizer> tokenizer;
    try {
        tokenizer = remask::Tokenizer::from_json_text(std::string(json_text), "fuzz/tokenizer.json");
    } catch (const remask::Error&) {
        return 0;
    }
    // Text that is not UTF-8 is an InputError by contract (tokenizer.h).
    try {
        for (bool special : {true, false}) {
            std::vector<int32_t> ids = tokenizer->encode(text, special);
            (void)tokenizer->decode(ids);
        }
    } catch (const remask::Error&) {
    }
    return 0;
}
