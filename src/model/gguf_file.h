#pragma once
// One GGUF file (version 2 or 3, little-endian), as llama.cpp writes them: magic "GGUF",
// version, tensor and key counts, typed key/value metadata, tensor infos (name, dims,
// ggml type, offset), then the tensor data at `general.alignment` (default 32).
// Parsing validates everything a later read relies on, with overflow-safe arithmetic:
// every length, count and offset against the bytes that remain, known value and tensor
// types, dims × type size = byte range inside the data section, aligned, no duplicate
// keys or tensors, no overlapping data. A bad file fails here with one InputError naming
// the file and the key or tensor at fault, never later with a crash.
//
//   GgufFile file("model.gguf");
//   std::string arch = file.string("general.architecture");
//   const GgufTensor* t = file.find("blk.0.attn_q.weight");   // t->dims = {cols, rows}
//
// parse_gguf() takes any byte buffer, for fuzzing.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/cpu/ggml_blocks.h"
#include "model/mapped_file.h"

namespace remask {

enum class GgufValueType : uint32_t {
    u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8,
    array = 9, u64 = 10, i64 = 11, f64 = 12,
};

// A metadata value. Strings point into the parsed buffer (which must outlive it).
struct GgufValue {
    GgufValueType type = GgufValueType::u8;
    uint64_t u = 0;  // unsigned integers and booleans
    int64_t i = 0;   // signed integers (also set for unsigned ones that fit)
    double f = 0;    // every number, widened
    std::string_view str;
    GgufValueType element_type = GgufValueType::u8;  // arrays only
    std::vector<GgufValue> items;                    // arrays only

    bool is_integer() const;
    bool is_number() const;  // integer or float
};

struct GgufTensor {
    std::string name;
    std::vector<int64_t> dims;  // ggml order: dims[0] is the contiguous one (columns)
    const GgmlType* type = nullptr;
    uint64_t offset = 0;  // from the start of the data section
    uint64_t bytes = 0;
    const uint8_t* data = nullptr;

    int64_t rows() const;  // product of dims[1..]
    int64_t numel() const;
};

struct GgufContents {
    uint32_t version = 0;
    uint64_t alignment = 32;
    std::map<std::string, GgufValue> metadata;
    std::vector<GgufTensor> tensors;  // in file order
    std::map<std::string, size_t> tensor_index;
};

// Parses and validates a whole GGUF image held in [data, data + size); `name` (the path)
// starts every error. The result points into the buffer.
GgufContents parse_gguf(const uint8_t* data, uint64_t size, const std::string& name);

class GgufFile {
public:
    // Memory-maps and parses; InputError("<path>...", ...) on any fault.
    explicit GgufFile(const std::string& path);

    const std::string& path() const { return file_->path(); }
    const GgufContents& contents() const { return contents_; }
    const std::vector<GgufTensor>& tensors() const { return contents_.tensors; }
    const GgufTensor* find(const std::string& name) const;
    const GgufValue* value(const std::string& key) const;  // nullptr when absent

    // Typed getters: InputError("<path>: <key>", ...) when absent or of another type.
    std::string string(const std::string& key) const;
    int64_t integer(const std::string& key) const;
    double number(const std::string& key) const;
    int64_t integer_or(const std::string& key, int64_t fallback) const;
    double number_or(const std::string& key, double fallback) const;
    bool flag_or(const std::string& key, bool fallback) const;
    // An array of strings (e.g. tokenizer.ggml.tokens), or empty when absent.
    std::vector<std::string_view> strings_or_empty(const std::string& key) const;

    [[noreturn]] void fail(const std::string& key, const std::string& detail) const;

private:
    std::unique_ptr<MappedFile> file_;
    GgufContents contents_;
};

// True when `path` names a file (not a folder) ending in ".gguf".
bool is_gguf_path(const std::string& path);

}  // namespace remask
