// A hostile .npy file fails with one InputError before anything is allocated for it.

#include "model/npy.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "test_support.h"

namespace remask {
namespace {

// Version 1.0 file: magic, 2-byte header length, the header as given, then `data_bytes`.
std::string write_npy(const std::string& header, size_t data_bytes, int claimed_length = -1) {
    const std::string path = test::scratch_dir() + "/array.npy";
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const int n = claimed_length >= 0 ? claimed_length : static_cast<int>(header.size());
    out.put(static_cast<char>(n & 0xFF));
    out.put(static_cast<char>((n >> 8) & 0xFF));
    out << header << std::string(data_bytes, '\0');
    return path;
}

std::string read_error(const std::string& path) {
    try {
        read_npy_f32(path);
    } catch (const InputError& e) {
        return e.what();
    }
    return "<no error>";
}

TEST(Npy, RoundTripsWhatItWrites) {
    const std::string path = test::scratch_dir() + "/ok.npy";
    const float data[6] = {1, 2, 3, 4, 5, 6};
    write_npy_f32(path, {2, 3}, data);
    const NpyArray array = read_npy_f32(path);
    EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(array.data, std::vector<float>(data, data + 6));
}

// Was: the shape's product was allocated before anything checked it (negative and huge
// dimensions, products that wrap), and std::stoll's exceptions escaped untyped.
TEST(Npy, ShapesTheFileCannotHoldAreErrors) {
    const std::string head = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
    EXPECT_NE(read_error(write_npy(head + "(1000000000000, 1000000), }", 16)).find("needs more data"),
              std::string::npos);
    EXPECT_NE(read_error(write_npy(head + "(4294967296, 4294967296, 16), }", 16)).find("needs more data"),
              std::string::npos);
    EXPECT_NE(read_error(write_npy(head + "(-5,), }", 16)).find("bad dimension"), std::string::npos);
    EXPECT_NE(read_error(write_npy(head + "(99999999999999999999999,), }", 16)).find("bad dimension"),
              std::string::npos);
    EXPECT_NE(read_error(write_npy(head + "(5,), }", 8)).find("needs more data"), std::string::npos);
}

TEST(Npy, HeaderLongerThanTheFileIsAnError) {
    EXPECT_NE(read_error(write_npy("{'descr'", 0, 60000)).find("header length"), std::string::npos);
}

}  // namespace
}  // namespace remask
