// A model folder's config.json (read before any weight is opened).
#include "fuzz_support.h"
#include "core/error.h"
#include "model/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    remask::fuzz::write_scratch_file("config.json", remask::fuzz::as_text(data, size));
    try {
        remask::ModelConfig config = remask::read_model_config(remask::fuzz::scratch_dir().string());
        (void)remask::rope_frequencies(config);
    } catch (const remask::Error&) {
    }
    return 0;
}
