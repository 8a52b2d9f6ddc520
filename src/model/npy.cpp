#include "model/npy.h"

#include <cstring>
#include <fstream>

#include "core/error.h"

namespace remask {

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
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "cannot open");
    char magic[8];
    if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
        throw InputError(path, "not a .npy file");
    uint32_t header_len = 0;
    unsigned char len_bytes[4] = {0, 0, 0, 0};
    const int len_size = magic[6] == 1 ? 2 : 4;
    if (!in.read(reinterpret_cast<char*>(len_bytes), len_size)) throw InputError(path, "truncated header");
    for (int i = len_size - 1; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
    std::string header(header_len, '\0');
    if (!in.read(header.data(), header_len)) throw InputError(path, "truncated header");
    if (header.find("'descr': '<f4'") == std::string::npos ||
        header.find("'fortran_order': False") == std::string::npos)
        throw InputError(path, "only little-endian float32 arrays in C order are supported");
    const size_t open = header.find('(', header.find("'shape'"));
    const size_t close = header.find(')', open);
    if (open == std::string::npos || close == std::string::npos) throw InputError(path, "no shape");
    NpyArray array;
    int64_t count = 1;
    const std::string dims = header.substr(open + 1, close - open - 1);
    size_t pos = 0;
    while (pos < dims.size()) {
        size_t next = dims.find(',', pos);
        if (next == std::string::npos) next = dims.size();
        const std::string item = dims.substr(pos, next - pos);
        if (item.find_first_of("0123456789") != std::string::npos) {
            array.shape.push_back(std::stoll(item));
            count *= array.shape.back();
        }
        pos = next + 1;
    }
    array.data.resize(count);
    if (!in.read(reinterpret_cast<char*>(array.data.data()), count * static_cast<int64_t>(sizeof(float))))
        throw InputError(path, "truncated data");
    return array;
}

}  // namespace remask
