// A damaged safetensors file fails on open with one error naming the file (and the tensor).

#include "model/safetensors.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "test_support.h"

namespace remask {
namespace {

// Writes an 8-byte length, the header text as given, then `data_bytes` zero bytes.
std::string write_file(const std::string& header, size_t data_bytes, uint64_t claimed_length = 0) {
    const std::string path = test::scratch_dir() + "/model.safetensors";
    std::ofstream out(path, std::ios::binary);
    uint64_t n = claimed_length ? claimed_length : header.size();
    for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xFF));
    out << header << std::string(data_bytes, '\0');
    return path;
}

// The InputError message from opening `path`, or "" when it opened.
std::string open_error(const std::string& path) {
    try {
        SafetensorsFile file(path);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(Safetensors, ReadsValidHeader) {
    const std::string path = write_file(
        R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]},"__metadata__":{"format":"pt"}})",
        32);
    SafetensorsFile file(path);
    ASSERT_EQ(file.tensors().size(), 2u);
    EXPECT_EQ(file.find("a")->shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(file.find("b")->float_dtype(), DType::bf16);
    EXPECT_EQ(file.find("missing"), nullptr);
}

// Found by fuzz/safetensors_fuzz.cpp: an empty tensor at an offset that breaks its
// alignment was "realigned" with memcpy into a null pointer (UBSan, asan preset).
TEST(Safetensors, EmptyTensorAtAnUnalignedOffsetOpens) {
    const std::string path = write_file(
        R"({"s":{"dtype":"F16","shape":[],"data_offsets":[0,2]},"empty":{"dtype":"F32","shape":[0],"data_offsets":[2,2]}})",
        2);
    SafetensorsFile file(path);
    ASSERT_NE(file.find("empty"), nullptr);
    EXPECT_EQ(file.find("empty")->bytes, 0u);
    EXPECT_EQ(file.find("empty")->numel(), 0);
}

TEST(Safetensors, TooShortForHeaderLength) {
    const std::string path = test::scratch_dir() + "/model.safetensors";
    std::ofstream(path) << "abc";
    EXPECT_NE(open_error(path).find("truncated"), std::string::npos) << open_error(path);
}

TEST(Safetensors, HeaderLengthPastEndOfFile) {
    const std::string path = write_file(R"({})", 0, 1000);
    const std::string error = open_error(path);
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_NE(error.find("does not fit"), std::string::npos) << error;
}

TEST(Safetensors, HeaderNotJson) {
    const std::string error = open_error(write_file("{not json", 0));
    EXPECT_NE(error.find("not valid JSON"), std::string::npos) << error;
}

TEST(Safetensors, UnknownDtypeNamesTensor) {
    const std::string error =
        open_error(write_file(R"({"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}})", 2));
    EXPECT_NE(error.find("tensor 'w'"), std::string::npos) << error;
    EXPECT_NE(error.find("unknown dtype 'Q4'"), std::string::npos) << error;
}

TEST(Safetensors, ShapeDisagreesWithByteRange) {
    const std::string error =
        open_error(write_file(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 24));
    EXPECT_NE(error.find("tensor 'w'"), std::string::npos) << error;
    EXPECT_NE(error.find("needs 24 bytes"), std::string::npos) << error;
}

TEST(Safetensors, RangePastDataSectionMeansTruncated) {
    const std::string error =
        open_error(write_file(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", 10));
    EXPECT_NE(error.find("tensor 'w'"), std::string::npos) << error;
    EXPECT_NE(error.find("past the data section"), std::string::npos) << error;
}

TEST(Safetensors, OverlappingTensors) {
    const std::string error = open_error(write_file(
        R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
        16));
    EXPECT_NE(error.find("overlaps"), std::string::npos) << error;
}

TEST(Safetensors, MalformedEntry) {
    const std::string error = open_error(write_file(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}})", 0));
    EXPECT_NE(error.find("bad dimension"), std::string::npos) << error;
}

TEST(Safetensors, TruncatedRealCheckpoint) {
    const std::string dir = test::copy_fixture("qwen2-tiny");
    const std::string path = dir + "/model.safetensors";
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 100);
    const std::string error = open_error(path);
    EXPECT_NE(error.find("past the data section"), std::string::npos) << error;
}

// Was: the check came after the multiplication, so 2^40 * 2^24 wrapped to 0 elements and
// matched data_offsets [0, 0].
TEST(Safetensors, ShapeWhoseProductOverflowsIsTooLarge) {
    const std::string error = open_error(
        write_file(R"({"w":{"dtype":"F32","shape":[1099511627776,16777216],"data_offsets":[0,0]}})", 0));
    EXPECT_NE(error.find("too large"), std::string::npos) << error;
    EXPECT_NE(error.find("'w'"), std::string::npos) << error;
}

TEST(Safetensors, DeeplyNestedHeaderIsOneError) {
    const std::string error =
        open_error(write_file("{\"__metadata__\": " + std::string(100000, '[') + std::string(100000, ']') + "}", 0));
    EXPECT_NE(error.find("deeper"), std::string::npos) << error.substr(0, 300);
}

}  // namespace
}  // namespace remask
