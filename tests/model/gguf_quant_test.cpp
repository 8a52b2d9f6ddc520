// Quantized GGUF weights: our dequantization is bit-exact against ggml's own to_float for
// every block type; files quantized by llama.cpp's llama_model_quantize give llama.cpp's
// logits; the tile-at-a-time fast path equals the dequantize-everything reference.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include "kernels/cpu/block_linear.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/ggml_blocks.h"
#include "llama_support.h"
#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

const uint32_t kBlockTypes[] = {kGgmlQ4_0, kGgmlQ4_1, kGgmlQ5_0, kGgmlQ5_1,
                                kGgmlQ8_0, kGgmlQ4_K, kGgmlQ5_K, kGgmlQ6_K};

void write_bytes(const std::string& path, const void* data, size_t n) {
    std::ofstream(path, std::ios::binary).write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
}

std::vector<uint8_t> quant_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(GgufDequantize, BitExactAgainstGgmlForEveryBlockType) {
    REQUIRE_LLAMA_REFERENCE();
    const int64_t rows = 4, cols = 1024;
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> values(rows * cols);
    for (float& v : values) v = normal(rng) * (rng() % 17 == 0 ? 8.0f : 0.05f);  // some outliers
    const std::string dir = test::scratch_dir();
    write_bytes(dir + "/in.f32", values.data(), values.size() * 4);
    for (uint32_t id : kBlockTypes) {
        const GgmlType& type = *ggml_type_by_id(id);
        ASSERT_EQ(test::run_llama_reference("blocks " + std::to_string(id) + " " + std::to_string(rows) + " " +
                                            std::to_string(cols) + " " + dir + "/in.f32 " + dir + "/q.bin " + dir +
                                            "/ggml.f32"),
                  0)
            << type.name;
        const std::vector<uint8_t> blocks = quant_file_bytes(dir + "/q.bin");
        ASSERT_EQ(static_cast<int64_t>(blocks.size()), rows * ggml_row_bytes(type, cols)) << type.name;
        const std::vector<float> ggml = test::read_f32_file(dir + "/ggml.f32");
        std::vector<float> ours(rows * cols);
        for (int64_t r = 0; r < rows; ++r)
            dequantize_row_reference(type, blocks.data() + r * ggml_row_bytes(type, cols), cols, ours.data() + r * cols);
        EXPECT_EQ(std::memcmp(ours.data(), ggml.data(), ours.size() * 4), 0) << type.name << " differs from ggml";
        // The fast path's tile (f32) is the same numbers.
        const Weight w{DType::f32, blocks.data(), rows, cols, &type};
        auto linear = BlockLinear::make({w}, {}, ComputeType::f32);
        std::vector<float> tile(rows * cols);
        linear->dequantize_rows(0, rows, tile.data());
        EXPECT_EQ(std::memcmp(tile.data(), ggml.data(), tile.size() * 4), 0) << type.name << " tile";
    }
}

// One quantized file per llama.cpp file type, made from a fixture converted to F32.
struct QuantCase {
    const char* fixture;
    int ftype;  // llama_ftype
    const char* name;
};

std::string quantized_file(const QuantCase& c, const std::string& dir) {
    const std::string f32 = dir + "/f32.gguf", out = dir + "/" + c.name + ".gguf";
    write_gguf_from_folder(test::fixture(c.fixture), f32, "f32");
    EXPECT_EQ(test::run_llama_reference("quantize " + f32 + " " + out + " " + std::to_string(c.ftype) + " >/dev/null"), 0);
    return out;
}

class GgufQuantTest : public testing::TestWithParam<QuantCase> {};

LoadOptions options(const std::string& compute, bool reference) {
    LoadOptions o;
    o.compute = compute;
    o.dequantize_blocks_at_load = reference;
    return o;
}

TEST_P(GgufQuantTest, MatchesLlamaCppAndTheDequantizedReference) {
    REQUIRE_LLAMA_REFERENCE();
    const std::string gguf = quantized_file(GetParam(), test::scratch_dir());
    auto fast = Model::load(gguf, options("f32", false));
    auto reference = Model::load(gguf, options("f32", true));
    EXPECT_FALSE(fast->weight_dtype().empty());
    // The fast path keeps the blocks: its matrices take the file's bytes, not float32's.
    EXPECT_LT(fast->packed_bytes() * 2, reference->packed_bytes());
    const auto ids = test::random_ids(24, fast->vocab_size(), 5);
    std::vector<float> got, want;
    fast->forward({ids}, {}, got);
    reference->forward({ids}, {}, want);
    EXPECT_LT(test::relative_error(got, want), 1e-5) << "fast path vs dequantize-at-load";

    std::vector<float> theirs = test::llama_logits(gguf, ids);
    ASSERT_EQ(theirs.size(), got.size());
    const int64_t v = fast->vocab_size();
    if (fast->config().shift_logits)
        for (int64_t i = static_cast<int64_t>(ids.size()) - 1; i >= 1; --i)
            std::copy_n(theirs.begin() + (i - 1) * v, v, theirs.begin() + i * v);
    EXPECT_LT(test::relative_error(got, theirs), 2e-2) << "vs llama.cpp";
    std::printf("%s %s: fast vs reference %.2e, vs llama.cpp %.2e\n", GetParam().fixture, GetParam().name,
                test::relative_error(got, want), test::relative_error(got, theirs));
    if (has_int8_dot_product()) {
        // compute "auto": int8 products on the blocks (int8_blocks.h), inputs quantized per 32
        // values as llama.cpp's; not equal to the float path, close to both.
        auto integer = Model::load(gguf, options("auto", false));
        std::vector<float> ints;
        integer->forward({ids}, {}, ints);
        EXPECT_GT(test::relative_error(ints, want), 0.0) << "the integer path ran";
        EXPECT_LT(test::relative_error(ints, want), 2e-2) << "int8 blocks vs dequantize-at-load";
        EXPECT_LT(test::relative_error(ints, theirs), 2e-2) << "int8 blocks vs llama.cpp";
        std::printf("%s %s: int8 blocks vs reference %.2e, vs llama.cpp %.2e\n", GetParam().fixture, GetParam().name,
                    test::relative_error(ints, want), test::relative_error(ints, theirs));
    }
    if (compute_type_supported(ComputeType::bf16)) {
        auto bf16 = Model::load(gguf, options("bf16", false));
        std::vector<float> low;
        bf16->forward({ids}, {}, low);
        EXPECT_LT(test::relative_error(low, theirs), 2e-2) << "bf16 compute vs llama.cpp";
        std::printf("%s %s: bf16 compute vs llama.cpp %.2e\n", GetParam().fixture, GetParam().name,
                    test::relative_error(low, theirs));
    }
}

INSTANTIATE_TEST_SUITE_P(Types, GgufQuantTest,
                         testing::Values(QuantCase{"llada-q-tiny", 7, "Q8_0"}, QuantCase{"dream-q-tiny", 7, "Q8_0"},
                                         QuantCase{"llada-q-tiny", 15, "Q4_K_M"}, QuantCase{"dream-q-tiny", 15, "Q4_K_M"},
                                         QuantCase{"llada-q-tiny", 2, "Q4_0"}, QuantCase{"dream-q-tiny", 3, "Q4_1"},
                                         QuantCase{"llada-q-tiny", 9, "Q5_1"}, QuantCase{"dream-q-tiny", 17, "Q5_K_M"},
                                         QuantCase{"llada-moe-q-tiny", 7, "Q8_0"}),
                         [](const testing::TestParamInfo<QuantCase>& info) {
                             std::string name = std::string(info.param.fixture) + "_" + info.param.name;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

TEST(GgufQuantFiles, TheQuantizedFilesCoverEveryBlockType) {
    REQUIRE_LLAMA_REFERENCE();
    std::set<std::string> seen;
    const std::string dir = test::scratch_dir();
    for (const QuantCase& c : {QuantCase{"dream-q-tiny", 15, "Q4_K_M"}, QuantCase{"dream-q-tiny", 17, "Q5_K_M"},
                               QuantCase{"dream-q-tiny", 2, "Q4_0"}, QuantCase{"dream-q-tiny", 3, "Q4_1"},
                               QuantCase{"dream-q-tiny", 8, "Q5_0"}, QuantCase{"dream-q-tiny", 9, "Q5_1"},
                               QuantCase{"dream-q-tiny", 7, "Q8_0"}}) {
        const GgufFile file(quantized_file(c, dir));
        for (const GgufTensor& t : file.tensors()) seen.insert(t.type->name);
        auto model = Model::load(file.path());  // every file loads
        EXPECT_GT(model->vocab_size(), 0);
    }
    for (uint32_t id : kBlockTypes) EXPECT_TRUE(seen.count(ggml_type_by_id(id)->name)) << ggml_type_by_id(id)->name;
}

}  // namespace
}  // namespace remask
