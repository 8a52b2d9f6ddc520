// `<mask:N>` markup (`remask infill --text`, /v1/infill). Also checks the documented
// promise that escape_markup_text() output parses back to the same text.
#include "fuzz_support.h"
#include "core/error.h"
#include "diffusion/span_markup.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text = remask::fuzz::as_text(data, size);
    try {
        auto segments = remask::parse_mask_markup(text);
        (void)remask::count_slots(segments);
        (void)remask::count_masks(segments);
    } catch (const remask::Error&) {
    }
    auto escaped = remask::parse_mask_markup(remask::escape_markup_text(text));
    std::string joined;
    for (const auto& segment : escaped) {
        if (segment.masks != 0) std::abort();
        joined += segment.text;
    }
    if (joined != text) std::abort();
    return 0;
}
