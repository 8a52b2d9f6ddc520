#include "model/gguf_file.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace remask {
namespace {

constexpr uint32_t kMaxDims = 4;          // GGML_MAX_DIMS
constexpr int kMaxArrayNesting = 3;       // arrays of arrays of arrays at most
constexpr uint64_t kMaxKeyBytes = 65535;  // a key longer than this is corrupt

// Reads little-endian fields from a bounded buffer; every read checks what remains.
class Reader {
public:
    Reader(const uint8_t* data, uint64_t size, const std::string& name) : data_(data), size_(size), name_(name) {}

    uint64_t position() const { return pos_; }
    uint64_t remaining() const { return size_ - pos_; }

    [[noreturn]] void fail(const std::string& where, const std::string& detail) const {
        throw InputError(where.empty() ? name_ : name_ + ": " + where, detail);
    }
    void need(uint64_t bytes, const std::string& where, const char* what) const {
        if (bytes > remaining())
            fail(where, std::string("truncated GGUF file: ") + what + " needs " + std::to_string(bytes) +
                            " bytes at offset " + std::to_string(pos_) + ", only " + std::to_string(remaining()) +
                            " remain");
    }
    template <typename T>
    T scalar(const std::string& where, const char* what) {
        need(sizeof(T), where, what);
        T value;
        std::memcpy(&value, data_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return value;
    }
    std::string_view string(const std::string& where, const char* what, uint64_t max_bytes = UINT64_MAX) {
        const uint64_t length = scalar<uint64_t>(where, what);
        if (length > max_bytes)
            fail(where, std::string(what) + " has length " + std::to_string(length) + " (at most " +
                            std::to_string(max_bytes) + ")");
        need(length, where, what);
        std::string_view out(reinterpret_cast<const char*>(data_ + pos_), length);
        pos_ += length;
        return out;
    }

private:
    const uint8_t* data_;
    uint64_t size_;
    uint64_t pos_ = 0;
    const std::string& name_;
};

// The smallest encoding of one value of a type (bounds an array's count by the bytes left).
uint64_t min_value_bytes(GgufValueType type) {
    switch (type) {
        case GgufValueType::u8: case GgufValueType::i8: case GgufValueType::boolean: return 1;
        case GgufValueType::u16: case GgufValueType::i16: return 2;
        case GgufValueType::u32: case GgufValueType::i32: case GgufValueType::f32: return 4;
        case GgufValueType::u64: case GgufValueType::i64: case GgufValueType::f64: return 8;
        case GgufValueType::string: return 8;
        case GgufValueType::array: return 12;
    }
    return 1;
}

bool known_value_type(uint32_t t) { return t <= 12; }

GgufValue read_value(Reader& in, GgufValueType type, const std::string& key, int depth) {
    GgufValue v;
    v.type = type;
    auto as_unsigned = [&](uint64_t x) { v.u = x; v.f = double(x); if (x <= uint64_t(INT64_MAX)) v.i = int64_t(x); };
    auto as_signed = [&](int64_t x) { v.i = x; v.f = double(x); if (x >= 0) v.u = uint64_t(x); };
    switch (type) {
        case GgufValueType::u8: as_unsigned(in.scalar<uint8_t>(key, "value")); break;
        case GgufValueType::i8: as_signed(in.scalar<int8_t>(key, "value")); break;
        case GgufValueType::u16: as_unsigned(in.scalar<uint16_t>(key, "value")); break;
        case GgufValueType::i16: as_signed(in.scalar<int16_t>(key, "value")); break;
        case GgufValueType::u32: as_unsigned(in.scalar<uint32_t>(key, "value")); break;
        case GgufValueType::i32: as_signed(in.scalar<int32_t>(key, "value")); break;
        case GgufValueType::u64: as_unsigned(in.scalar<uint64_t>(key, "value")); break;
        case GgufValueType::i64: as_signed(in.scalar<int64_t>(key, "value")); break;
        case GgufValueType::f32: v.f = in.scalar<float>(key, "value"); break;
        case GgufValueType::f64: v.f = in.scalar<double>(key, "value"); break;
        case GgufValueType::boolean: {
            const uint8_t b = in.scalar<uint8_t>(key, "value");
            if (b > 1) in.fail(key, "boolean value " + std::to_string(b) + " is neither 0 nor 1");
            v.u = b;
            v.i = b;
            break;
        }
        case GgufValueType::string: v.str = in.string(key, "string value"); break;
        case GgufValueType::array: {
            if (depth >= kMaxArrayNesting) in.fail(key, "arrays nested too deeply");
            const uint32_t element = in.scalar<uint32_t>(key, "array element type");
            if (!known_value_type(element)) in.fail(key, "unknown array element type " + std::to_string(element));
            v.element_type = static_cast<GgufValueType>(element);
            const uint64_t count = in.scalar<uint64_t>(key, "array length");
            if (count > in.remaining() / min_value_bytes(v.element_type))
                in.fail(key, "array length " + std::to_string(count) + " does not fit in the " +
                                 std::to_string(in.remaining()) + " bytes that remain (truncated or corrupt)");
            v.items.reserve(count);
            for (uint64_t i = 0; i < count; ++i) v.items.push_back(read_value(in, v.element_type, key, depth + 1));
            break;
        }
    }
    return v;
}

bool checked_mul(int64_t a, int64_t b, int64_t& out) { return !__builtin_mul_overflow(a, b, &out); }

}  // namespace

bool GgufValue::is_integer() const {
    switch (type) {
        case GgufValueType::u8: case GgufValueType::i8: case GgufValueType::u16: case GgufValueType::i16:
        case GgufValueType::u32: case GgufValueType::i32: case GgufValueType::u64: case GgufValueType::i64:
            return true;
        default: return false;
    }
}

bool GgufValue::is_number() const {
    return is_integer() || type == GgufValueType::f32 || type == GgufValueType::f64;
}

int64_t GgufTensor::rows() const {
    int64_t r = 1;
    for (size_t i = 1; i < dims.size(); ++i) r *= dims[i];
    return r;
}

int64_t GgufTensor::numel() const { return dims.empty() ? 0 : rows() * dims[0]; }

GgufContents parse_gguf(const uint8_t* data, uint64_t size, const std::string& name) {
    Reader in(data, size, name);
    GgufContents out;
    in.need(4, "", "the magic");
    if (std::memcmp(data, "GGUF", 4) != 0) in.fail("", "not a GGUF file (the first bytes are not \"GGUF\")");
    in.scalar<uint32_t>("", "magic");
    out.version = in.scalar<uint32_t>("", "version");
    if (out.version != 2 && out.version != 3)
        in.fail("", "GGUF version " + std::to_string(out.version) + " is not supported (only 2 and 3)");
    const uint64_t tensor_count = in.scalar<uint64_t>("", "tensor count");
    const uint64_t kv_count = in.scalar<uint64_t>("", "metadata count");
    // Each key/value takes at least 13 bytes, each tensor info at least 24.
    if (kv_count > in.remaining() / 13)
        in.fail("", "metadata count " + std::to_string(kv_count) + " cannot fit in the " + std::to_string(in.remaining()) + " bytes that follow (truncated or corrupt file)");
    if (tensor_count > in.remaining() / 24)
        in.fail("", "tensor count " + std::to_string(tensor_count) + " cannot fit in the " + std::to_string(in.remaining()) + " bytes that follow (truncated or corrupt file)");

    for (uint64_t k = 0; k < kv_count; ++k) {
        const std::string key(in.string("metadata entry " + std::to_string(k), "key", kMaxKeyBytes));
        const uint32_t type = in.scalar<uint32_t>(key, "value type");
        if (!known_value_type(type)) in.fail(key, "unknown value type " + std::to_string(type));
        GgufValue value = read_value(in, static_cast<GgufValueType>(type), key, 0);
        if (!out.metadata.emplace(key, std::move(value)).second) in.fail(key, "duplicate metadata key");
    }
    if (auto it = out.metadata.find("general.alignment"); it != out.metadata.end()) {
        const GgufValue& a = it->second;
        if (a.type != GgufValueType::u32 || a.u < 8 || (a.u & (a.u - 1)) != 0)
            in.fail("general.alignment", "must be a power of two of at least 8 (uint32)");
        out.alignment = a.u;
    }

    for (uint64_t t = 0; t < tensor_count; ++t) {
        GgufTensor tensor;
        tensor.name = std::string(in.string("tensor info " + std::to_string(t), "tensor name", kMaxKeyBytes));
        const std::string where = "tensor '" + tensor.name + "'";
        const uint32_t n_dims = in.scalar<uint32_t>(where, "dimension count");
        if (n_dims == 0 || n_dims > kMaxDims)
            in.fail(where, "has " + std::to_string(n_dims) + " dimensions (1 to 4 allowed)");
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t dim = in.scalar<uint64_t>(where, "dimension");
            if (dim == 0 || dim > uint64_t(INT64_MAX))
                in.fail(where, "dimension " + std::to_string(d) + " = " + std::to_string(dim) + " is out of range");
            tensor.dims.push_back(static_cast<int64_t>(dim));
        }
        const uint32_t type_id = in.scalar<uint32_t>(where, "type");
        tensor.type = ggml_type_by_id(type_id);
        if (!tensor.type) in.fail(where, "unknown ggml type " + std::to_string(type_id));
        tensor.offset = in.scalar<uint64_t>(where, "data offset");
        int64_t numel = 1;
        for (int64_t dim : tensor.dims)
            if (!checked_mul(numel, dim, numel)) in.fail(where, "element count overflows");
        if (tensor.dims[0] % tensor.type->block_values != 0)
            in.fail(where, "row length " + std::to_string(tensor.dims[0]) + " is not a multiple of the " +
                               tensor.type->name + " block size " + std::to_string(tensor.type->block_values));
        int64_t bytes = 0;
        if (!checked_mul(numel / tensor.type->block_values, tensor.type->block_bytes, bytes))
            in.fail(where, "byte size overflows");
        tensor.bytes = static_cast<uint64_t>(bytes);
        if (out.tensor_index.count(tensor.name)) in.fail(where, "duplicate tensor name");
        out.tensor_index.emplace(tensor.name, out.tensors.size());
        out.tensors.push_back(std::move(tensor));
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t header_end = in.position();
    const uint64_t data_start = (header_end + out.alignment - 1) / out.alignment * out.alignment;
    if (!out.tensors.empty() && data_start > size)
        in.fail("", "truncated GGUF file: no data section after the " + std::to_string(header_end) +
                        "-byte header");
    const uint64_t data_size = data_start <= size ? size - data_start : 0;
    std::vector<const GgufTensor*> by_offset;
    for (GgufTensor& tensor : out.tensors) {
        const std::string where = "tensor '" + tensor.name + "'";
        if (tensor.offset % out.alignment != 0)
            in.fail(where, "data offset " + std::to_string(tensor.offset) + " is not a multiple of the alignment " +
                               std::to_string(out.alignment));
        if (tensor.offset > data_size || tensor.bytes > data_size - tensor.offset)
            in.fail(where, "data [" + std::to_string(tensor.offset) + ", +" + std::to_string(tensor.bytes) +
                               ") lies outside the " + std::to_string(data_size) +
                               "-byte data section (truncated or corrupt file)");
        tensor.data = data + data_start + tensor.offset;
        by_offset.push_back(&tensor);
    }
    std::sort(by_offset.begin(), by_offset.end(),
              [](const GgufTensor* a, const GgufTensor* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i)
        if (by_offset[i]->offset < by_offset[i - 1]->offset + by_offset[i - 1]->bytes)
            in.fail("tensor '" + by_offset[i]->name + "'",
                    "data overlaps tensor '" + by_offset[i - 1]->name + "'");
    return out;
}

GgufFile::GgufFile(const std::string& path) : file_(std::make_unique<MappedFile>(path)) {
    contents_ = parse_gguf(file_->data(), file_->size(), path);
}

const GgufTensor* GgufFile::find(const std::string& name) const {
    auto it = contents_.tensor_index.find(name);
    return it == contents_.tensor_index.end() ? nullptr : &contents_.tensors[it->second];
}

const GgufValue* GgufFile::value(const std::string& key) const {
    auto it = contents_.metadata.find(key);
    return it == contents_.metadata.end() ? nullptr : &it->second;
}

void GgufFile::fail(const std::string& key, const std::string& detail) const {
    throw InputError(path() + ": " + key, detail);
}

std::string GgufFile::string(const std::string& key) const {
    const GgufValue* v = value(key);
    if (!v) fail(key, "missing from the GGUF metadata");
    if (v->type != GgufValueType::string) fail(key, "must be a string");
    return std::string(v->str);
}

int64_t GgufFile::integer(const std::string& key) const {
    const GgufValue* v = value(key);
    if (!v) fail(key, "missing from the GGUF metadata");
    if (!v->is_integer() || (v->i == 0 && v->u != 0)) fail(key, "must be an integer (int64)");
    return v->i;
}

double GgufFile::number(const std::string& key) const {
    const GgufValue* v = value(key);
    if (!v) fail(key, "missing from the GGUF metadata");
    if (!v->is_number()) fail(key, "must be a number");
    return v->f;
}

int64_t GgufFile::integer_or(const std::string& key, int64_t fallback) const {
    return value(key) ? integer(key) : fallback;
}

double GgufFile::number_or(const std::string& key, double fallback) const {
    return value(key) ? number(key) : fallback;
}

bool GgufFile::flag_or(const std::string& key, bool fallback) const {
    const GgufValue* v = value(key);
    if (!v) return fallback;
    if (v->type != GgufValueType::boolean) fail(key, "must be a boolean");
    return v->u != 0;
}

std::vector<std::string_view> GgufFile::strings_or_empty(const std::string& key) const {
    const GgufValue* v = value(key);
    if (!v) return {};
    if (v->type != GgufValueType::array || v->element_type != GgufValueType::string)
        fail(key, "must be an array of strings");
    std::vector<std::string_view> out;
    out.reserve(v->items.size());
    for (const GgufValue& item : v->items) out.push_back(item.str);
    return out;
}

bool is_gguf_path(const std::string& path) {
    const std::filesystem::path p(path);
    return p.extension() == ".gguf" && !std::filesystem::is_directory(p);
}

}  // namespace remask
