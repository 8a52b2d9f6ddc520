#pragma once
// Element types of stored weights and the conversions to float32 that every kernel uses.
//
// Weights are read in their file's type (memory-mapped) and packed for the matrix products
// at load (linear.h); the conversions here serve packing, lookups and the references.

#include <cstdint>
#include <cstring>
#include <string>

#include "kernels/cpu/ggml_blocks.h"

namespace remask {

enum class DType { f32, bf16, f16 };

inline int64_t dtype_size(DType t) { return t == DType::f32 ? 4 : 2; }
std::string dtype_name(DType t);  // "f32", "bf16", "f16"

inline float bf16_to_f32(uint16_t bits) {
    uint32_t wide = static_cast<uint32_t>(bits) << 16;
    float value;
    std::memcpy(&value, &wide, sizeof value);
    return value;
}

// Round to nearest even, as the fixtures and PyTorch do (NaN stays NaN).
uint16_t f32_to_bf16(float value);
// IEEE half precision, subnormals and infinities included.
float f16_to_f32(uint16_t bits);
uint16_t f32_to_f16(float value);

// A row-major matrix [rows, cols] of type dtype that the kernels read but never own.
// A vector is a matrix with one row. With `blocks` set (GGUF quantized tensors), each row
// is cols / blocks->block_values ggml blocks instead, and dtype is unused.
struct Weight {
    DType dtype = DType::f32;
    const void* data = nullptr;
    int64_t rows = 0;
    int64_t cols = 0;
    const GgmlType* blocks = nullptr;

    bool empty() const { return data == nullptr; }
    int64_t row_bytes() const { return blocks ? ggml_row_bytes(*blocks, cols) : cols * dtype_size(dtype); }
    int64_t bytes() const { return rows * row_bytes(); }
};

// out[0, cols) = row r of w widened to float32.
void weight_row_to_f32(const Weight& w, int64_t r, float* out);

}  // namespace remask
