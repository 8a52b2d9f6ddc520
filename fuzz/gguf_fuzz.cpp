// A .gguf file from outside: header, metadata, tensor infos, data ranges, then the mapping
// to a model (architecture keys → config.json, tensor names, q/k un-permutation, expert
// stacks → per-expert views). Every tensor the parser accepts must lie inside the buffer;
// its first and last bytes are read, as are those of every view the checkpoint makes.
#include <cstdlib>

#include "fuzz_support.h"
#include "core/error.h"
#include "model/checkpoint.h"
#include "model/gguf_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    volatile uint8_t sink = 0;
    try {
        const remask::GgufContents contents = remask::parse_gguf(data, size, "model.gguf");
        for (const remask::GgufTensor& t : contents.tensors) {
            if (t.bytes == 0) continue;
            if (t.data < data || t.bytes > size || t.data + t.bytes > data + size) std::abort();
            sink = sink ^ t.data[0] ^ t.data[t.bytes - 1];
        }
    } catch (const remask::Error&) {
        return 0;  // the checkpoint would fail the same way
    }
    const std::string path = remask::fuzz::write_scratch_file("model.gguf", remask::fuzz::as_text(data, size));
    try {
        const remask::Checkpoint ckpt = remask::Checkpoint::open_gguf(path);
        for (const remask::TensorInfo* t : ckpt.tensors()) {
            if (t->bytes == 0) continue;
            sink = sink ^ t->data[0] ^ t->data[t->bytes - 1];
        }
    } catch (const remask::Error&) {
    }
    return 0;
}
