#include "model/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_limits.h"

namespace remask {
namespace {

// Header lengths above this are corrupt (the reference implementation caps at 100 MB).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

// Element sizes of every dtype the safetensors format defines.
int64_t element_size_of(const std::string& dtype) {
    static const std::map<std::string, int64_t> sizes = {
        {"BOOL", 1}, {"U8", 1},  {"I8", 1},  {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2},
        {"U16", 2},  {"F16", 2}, {"BF16", 2}, {"I32", 4},    {"U32", 4},     {"F32", 4},
        {"I64", 8},  {"U64", 8}, {"F64", 8}};
    auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

}  // namespace

int64_t TensorInfo::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

bool TensorInfo::is_float() const { return dtype == "F32" || dtype == "BF16" || dtype == "F16"; }

DType TensorInfo::float_dtype() const {
    if (dtype == "BF16") return DType::bf16;
    if (dtype == "F16") return DType::f16;
    return DType::f32;
}

std::string shape_string(const std::vector<int64_t>& shape) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : file_(std::make_unique<MappedFile>(path)) {
    const uint64_t size = file_->size();
    if (size < 8) throw InputError(path, "truncated safetensors file (" + std::to_string(size) +
                                             " bytes, no header length)");
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | file_->data()[i];
    if (header_len > size - 8 || header_len > kMaxHeaderBytes)
        throw InputError(path, "corrupt safetensors header: length " + std::to_string(header_len) +
                                   " does not fit in the file's " + std::to_string(size) +
                                   " bytes (truncated or not a safetensors file)");
    const char* text = reinterpret_cast<const char*>(file_->data() + 8);
    nlohmann::json header;
    try {
        header = parse_json_limited(std::string_view(text, header_len), {.max_depth = 16});
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError(path, "safetensors header is not valid JSON: " + parse_error_summary(e));
    } catch (const JsonLimitError& e) {
        throw InputError(path, std::string("safetensors header ") + e.what());
    }
    if (!header.is_object()) throw InputError(path, "safetensors header is not a JSON object");

    const uint8_t* data_start = file_->data() + 8 + header_len;
    const uint64_t data_size = size - 8 - header_len;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") continue;
        const std::string where = path + ": tensor '" + name + "'";
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets"))
            throw InputError(where, "header entry needs dtype, shape and data_offsets");
        TensorInfo info;
        info.name = name;
        info.file = path;
        if (!entry["dtype"].is_string()) throw InputError(where, "dtype is not a string");
        info.dtype = entry["dtype"].get<std::string>();
        info.element_size = element_size_of(info.dtype);
        if (info.element_size == 0) throw InputError(where, "unknown dtype '" + info.dtype + "'");
        const auto& shape = entry["shape"];
        if (!shape.is_array()) throw InputError(where, "shape is not an array");
        // Bounded before each multiplication, so no product can wrap around (a wrapped
        // product of 0 would match empty data_offsets).
        constexpr uint64_t kMaxElements = 1ull << 48;
        if (shape.size() > 8) throw InputError(where, "shape " + json_excerpt(shape) + " has more than 8 dimensions");
        uint64_t numel = 1;
        for (const auto& dim : shape) {
            if (!dim.is_number_unsigned() || dim.get<uint64_t>() > kMaxElements)
                throw InputError(where, "shape " + json_excerpt(shape) + " has a bad dimension");
            const uint64_t size = dim.get<uint64_t>();
            info.shape.push_back(static_cast<int64_t>(size));
            if (size != 0 && numel > kMaxElements / size)
                throw InputError(where, "shape " + json_excerpt(shape) + " is too large");
            numel *= size;
        }
        const auto& offsets = entry["data_offsets"];
        if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
            !offsets[1].is_number_unsigned())
            throw InputError(where, "data_offsets must be [begin, end] with non-negative integers");
        const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
        if (begin > end) throw InputError(where, "data_offsets begin > end");
        if (end > data_size)
            throw InputError(where, "data_offsets [" + std::to_string(begin) + ", " +
                                        std::to_string(end) + ") run past the data section (" +
                                        std::to_string(data_size) + " bytes; file truncated?)");
        info.bytes = end - begin;
        if (info.bytes != numel * static_cast<uint64_t>(info.element_size))
            throw InputError(where, "shape " + shape_string(info.shape) + " × " + info.dtype +
                                        " needs " + std::to_string(numel * info.element_size) +
                                        " bytes but data_offsets span " + std::to_string(info.bytes));
        info.data = data_start + begin;
        tensors_.emplace(name, std::move(info));
    }

    // Overlap check: sort by begin, each must start at or after the previous end.
    std::vector<const TensorInfo*> order;
    for (const auto& [name, info] : tensors_) order.push_back(&info);
    std::sort(order.begin(), order.end(),
              [](const TensorInfo* a, const TensorInfo* b) { return a->data < b->data; });
    for (size_t i = 1; i < order.size(); ++i) {
        const TensorInfo* prev = order[i - 1];
        if (order[i]->bytes > 0 && prev->data + prev->bytes > order[i]->data)
            throw InputError(path + ": tensor '" + order[i]->name + "'",
                             "data overlaps tensor '" + prev->name + "'");
    }

    // Tensors at offsets that break their alignment are copied (rare: writers pad to 8).
    for (auto& [name, info] : tensors_) {
        // An empty tensor has nothing to copy (and memcpy may not take a null destination).
        if (info.bytes == 0 || reinterpret_cast<uintptr_t>(info.data) % info.element_size == 0) continue;
        realigned_.emplace_back((info.bytes + 7) / 8);
        std::memcpy(realigned_.back().data(), info.data, info.bytes);
        info.data = reinterpret_cast<const uint8_t*>(realigned_.back().data());
    }
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace remask
