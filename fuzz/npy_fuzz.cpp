// A .npy file from outside (reference arrays, `remask logits` output read back).
#include "fuzz_support.h"
#include "core/error.h"
#include "model/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = remask::fuzz::write_scratch_file("array.npy", remask::fuzz::as_text(data, size));
    try {
        remask::NpyArray array = remask::read_npy_f32(path);
        int64_t numel = 1;
        for (int64_t d : array.shape) numel *= d;
        if (numel != int64_t(array.data.size())) std::abort();
    } catch (const remask::Error&) {
    }
    return 0;
}
