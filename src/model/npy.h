#pragma once
// NumPy .npy files of float32 arrays (format version 1.0, little-endian, C order):
// what `remask logits` writes and what the reference scripts write for tests.

#include <cstdint>
#include <string>
#include <vector>

namespace remask {

struct NpyArray {
    std::vector<int64_t> shape;
    std::vector<float> data;
};

// Throws ExternalError naming the path when it cannot be written.
void write_npy_f32(const std::string& path, const std::vector<int64_t>& shape, const float* data);
// Reads '<f4' arrays in C order (versions 1.0–3.0); InputError naming the path otherwise.
NpyArray read_npy_f32(const std::string& path);

}  // namespace remask
