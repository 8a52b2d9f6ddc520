#include "model/npy.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace remask {

namespace {
constexpr int64_t kMaxNpyHeaderBytes = 1 << 16;
}  // namespace

void write_npy_f32(const std::string& path, const std::vector<int64_t>& shape, const float* data) {
    std::string dims;
    int64_t count = 1;
    for (int64_t d : shape) {
        dims += std::to_string(d) + ", ";
        count *= d;
    }
    if (shape.size() > 1) dims.resize(dims.size() - 2);  // (3,) keeps its comma, (3, 4) does not
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    if (!out) throw ExternalError(path, "cannot open for writing");
    const uint16_t header_len = static_cast<uint16_t>(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    const char len_bytes[2] = {static_cast<char>(header_len & 0xFF), static_cast<char>(header_len >> 8)};
    out.write(len_bytes, 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(count * sizeof(float)));
    if (!out) throw ExternalError(path, "write failed (disk full?)");
}

NpyArray read_npy_f32(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw InputError(path, "cannot open");
    const int64_t file_size = static_cast<int64_t>(in.tellg());
    in.seekg(0);
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
        throw InputError(path, "not a .npy file");
    uint32_t header_len = 0;
    unsigned char len_bytes[4] = {0, 0, 0, 0};
    const int len_size = magic[6] == 1 ? 2 : 4;
    if (!in.read(reinterpret_cast<char*>(len_bytes), len_size)) throw InputError(path, "truncated header");
    for (int i = len_size - 1; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
    // NumPy itself refuses headers over 10000 bytes unless told otherwise.
    if (header_len > kMaxNpyHeaderBytes || header_len > file_size)
        throw InputError(path, "header length " + std::to_string(header_len) + " is larger than " +
                                   std::to_string(std::min<int64_t>(kMaxNpyHeaderBytes, file_size)) + " bytes");
    std::string header(header_len, '\0');
    if (!in.read(header.data(), header_len)) throw InputError(path, "truncated header");
    if (header.find("'descr': '<f4'") == std::string::npos ||
        header.find("'fortran_order': False") == std::string::npos)
        throw InputError(path, "only little-endian float32 arrays in C order are supported");
    const size_t shape_key = header.find("'shape'");
    const size_t open = shape_key == std::string::npos ? std::string::npos : header.find('(', shape_key);
    const size_t close = open == std::string::npos ? std::string::npos : header.find(')', open);
    if (close == std::string::npos) throw InputError(path, "no shape");
    NpyArray array;
    // Each dimension a decimal count; the product may not pass what the file holds.
    const int64_t data_bytes = file_size - 10 - (len_size - 2) - static_cast<int64_t>(header_len);
    int64_t count = 1;
    const std::string dims = header.substr(open + 1, close - open - 1);
    size_t pos = 0;
    while (pos < dims.size()) {
        size_t next = dims.find(',', pos);
        if (next == std::string::npos) next = dims.size();
        std::string item = dims.substr(pos, next - pos);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        pos = next + 1;
        if (item.empty()) continue;
        int64_t dim = 0;
        const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), dim);
        if (error != std::errc() || end != item.data() + item.size() || dim < 0)
            throw InputError(path, "shape (" + dims.substr(0, 80) + ") has a bad dimension '" + item.substr(0, 20) + "'");
        array.shape.push_back(dim);
        if (dim != 0 && count > data_bytes / static_cast<int64_t>(sizeof(float)) / dim)
            throw InputError(path, "shape (" + dims.substr(0, 80) + ") needs more data than the file's " +
                                       std::to_string(std::max<int64_t>(0, data_bytes)) + " bytes");
        count *= dim;
    }
    array.data.resize(count);
    if (!in.read(reinterpret_cast<char*>(array.data.data()), count * static_cast<int64_t>(sizeof(float))))
        throw InputError(path, "truncated data");
    return array;
}

}  // namespace remask
