#pragma once
// One .safetensors file: an 8-byte little-endian header length, a JSON header
// {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then
// the data section. Opening validates everything a later read relies on, so a bad file
// fails here with the file and tensor named, never later with a crash.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kernels/cpu/dtype.h"
#include "model/mapped_file.h"

namespace remask {

struct TensorInfo {
    std::string name;
    std::string dtype;          // as in the header: "BF16", "F32", "I64", ...
    int64_t element_size = 0;   // bytes per element of dtype
    std::vector<int64_t> shape;
    const uint8_t* data = nullptr;  // inside the mapped file, suitably aligned for dtype
    uint64_t bytes = 0;
    std::string file;  // the path it came from, for error messages
    // GGUF quantized tensors: rows of ggml blocks of this type (dtype names it too).
    const GgmlType* blocks = nullptr;

    int64_t numel() const;
    // The dtypes the kernels read (F32, BF16, F16); false for other known ones.
    bool is_float() const;
    DType float_dtype() const;  // only when is_float()
};

class SafetensorsFile {
public:
    // Maps and validates: header length within the file, JSON object, known dtypes,
    // shape × dtype size = byte range, ranges inside the data section, no overlaps.
    // Throws InputError("<path>", ...) or InputError("<path>: tensor '<name>'", ...).
    explicit SafetensorsFile(const std::string& path);

    const std::string& path() const { return file_->path(); }
    const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
    const TensorInfo* find(const std::string& name) const;

private:
    std::unique_ptr<MappedFile> file_;
    std::map<std::string, TensorInfo> tensors_;
    // Copies of tensors whose offsets break alignment (kept alive here).
    std::vector<std::vector<uint64_t>> realigned_;
};

std::string shape_string(const std::vector<int64_t>& shape);  // "[3, 4]"

}  // namespace remask
