// A remask TOML config (`remask optimize run.toml`), then written back and read again.
#include "fuzz_support.h"
#include "core/error.h"
#include "core/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        remask::Settings settings =
            remask::parse_settings(std::string(remask::fuzz::as_text(data, size)), "fuzz.toml");
        (void)remask::settings_to_toml(settings);
    } catch (const remask::Error&) {
    }
    return 0;
}
