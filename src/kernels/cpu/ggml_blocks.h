#pragma once
// ggml's tensor element types as GGUF files store them: the id in the file, the name, how
// many values one block holds and its bytes, and the reference dequantizer of each block
// type we run (written from ggml's block layouts; tests/kernels compares it bit for bit
// with ggml's own `to_float` through libggml-base).
//
//   const GgmlType* t = ggml_type_by_id(8);            // Q8_0: 32 values in 34 bytes
//   dequantize_row_reference(*t, blocks, cols, out);  // out[0, cols) in float32
//
// Shapes: a row of n values (n a multiple of block_values) is n / block_values blocks.

#include <cstdint>
#include <string>

namespace remask {

struct GgmlType {
    uint32_t id;           // as in GGUF tensor infos (GGML_TYPE_*)
    const char* name;      // "F32", "Q4_K", ...
    int64_t block_values;  // values per block (1 for plain types)
    int64_t block_bytes;   // bytes per block
    bool supported;        // remask can compute with it (dequantize_row_reference accepts it)
};

// nullptr for an id ggml does not define (or that GGUF files no longer hold).
const GgmlType* ggml_type_by_id(uint32_t id);
const GgmlType* ggml_type_by_name(const std::string& name);

// The ids of the types we write and read.
enum GgmlTypeId : uint32_t {
    kGgmlF32 = 0, kGgmlF16 = 1, kGgmlQ4_0 = 2, kGgmlQ4_1 = 3, kGgmlQ5_0 = 6, kGgmlQ5_1 = 7,
    kGgmlQ8_0 = 8, kGgmlQ4_K = 12, kGgmlQ5_K = 13, kGgmlQ6_K = 14, kGgmlBF16 = 30,
};

// out[0, n) = the n values stored at `data` (n / block_values blocks of `type`), each
// computed exactly as ggml's dequantize_row_* does (same operations, same order, no fused
// multiply-add), so results are bit-identical. `type` must be supported.
void dequantize_row_reference(const GgmlType& type, const void* data, int64_t n, float* out);

// The f16 scale stored at p (unaligned), as float32.
float ggml_half_at(const uint8_t* p);
// K-quants' 6-bit scale *d and min *m of sub-block j from the 12 packed scale bytes q (as
// ggml's get_scale_min_k4).
void ggml_scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m);

// Bytes of a row of n values of `type` (n a multiple of block_values).
inline int64_t ggml_row_bytes(const GgmlType& type, int64_t n) {
    return n / type.block_values * type.block_bytes;
}

}  // namespace remask
