// A .safetensors file from outside: header length, JSON header, data ranges. Every tensor
// the reader accepts must lie inside the file: its first and last bytes are read.
#include "fuzz_support.h"
#include "core/error.h"
#include "model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = remask::fuzz::write_scratch_file("model.safetensors", remask::fuzz::as_text(data, size));
    try {
        remask::SafetensorsFile file(path);
        volatile uint8_t sink = 0;
        for (const auto& [name, tensor] : file.tensors()) {
            if (tensor.bytes == 0) continue;
            sink = sink ^ tensor.data[0] ^ tensor.data[tensor.bytes - 1];
            if (tensor.numel() * tensor.element_size != int64_t(tensor.bytes)) std::abort();
        }
    } catch (const remask::Error&) {
    }
    return 0;
}
