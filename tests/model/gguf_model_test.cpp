// GGUF models: a folder converted by our writer gives the folder's logits, and llama.cpp's
// own library gives the same logits on the same file (docs/gguf.md).

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "llama_support.h"
#include "model/gguf_checkpoint.h"
#include "model/gguf_file.h"
#include "model/gguf_writer.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/f16_panels.h"
#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

struct Case {
    const char* fixture;
    const char* type;  // what the folder's matrices are stored in
};

class GgufModelTest : public testing::TestWithParam<Case> {};

std::string converted(const Case& c) {
    const std::string path = test::scratch_dir() + "/" + c.fixture + ".gguf";
    write_gguf_from_folder(test::fixture(c.fixture), path, c.type);
    return path;
}

LoadOptions f32_compute() {
    LoadOptions o;
    o.compute = "f32";
    return o;
}

TEST_P(GgufModelTest, LogitsEqualTheSourceFolder) {
    const std::string gguf = converted(GetParam());
    auto folder = Model::load(test::fixture(GetParam().fixture), f32_compute());
    auto file = Model::load(gguf, f32_compute());
    EXPECT_EQ(file->config().family, folder->config().family);
    EXPECT_EQ(file->config().causal, folder->config().causal);
    EXPECT_EQ(file->config().mask_token_id, folder->config().mask_token_id);
    EXPECT_EQ(file->vocab_size(), folder->vocab_size());
    const auto ids = test::random_ids(12, folder->vocab_size(), 21);
    std::vector<float> want, got;
    folder->forward({ids}, {}, want);
    file->forward({ids}, {}, got);
    EXPECT_LT(test::relative_error(got, want), 1e-6);
}

// Compared with f32 compute on f32 files.
class GgufLlamaCppTest : public testing::TestWithParam<Case> {};

TEST_P(GgufLlamaCppTest, LlamaCppGivesTheSameLogitsOnTheFile) {
    REQUIRE_LLAMA_REFERENCE();
    const std::string gguf = converted(GetParam());
    auto model = Model::load(gguf, f32_compute());
    const auto ids = test::random_ids(16, model->vocab_size(), 7);
    std::vector<float> ours;
    model->forward({ids}, {}, ours);
    std::vector<float> theirs = test::llama_logits(gguf, ids);
    const int64_t v = model->vocab_size();
    ASSERT_EQ(theirs.size(), ours.size());
    if (model->config().shift_logits)  // llama.cpp leaves Dream's logits unshifted
        for (int64_t i = static_cast<int64_t>(ids.size()) - 1; i >= 1; --i)
            std::copy_n(theirs.begin() + (i - 1) * v, v, theirs.begin() + i * v);
    EXPECT_LT(test::relative_error(ours, theirs), 1e-5);
    std::printf("%s: remask vs llama.cpp %.2e\n", GetParam().fixture, test::relative_error(ours, theirs));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GgufModelTest,
                         testing::Values(Case{"llada-tiny", "f32"}, Case{"llada-tiny-bf16", "bf16"},
                                         Case{"dream-tiny", "f32"}, Case{"dream-tiny-bf16", "bf16"},
                                         Case{"qwen2-tiny", "f32"}, Case{"llama-tiny", "f32"},
                                         Case{"llada-moe-tiny", "f32"}, Case{"llada-moe-tiny-bf16", "bf16"}),
                         [](const testing::TestParamInfo<Case>& info) {
                             std::string name = info.param.fixture;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

INSTANTIATE_TEST_SUITE_P(Fixtures, GgufLlamaCppTest,
                         testing::Values(Case{"llada-tiny", "f32"}, Case{"dream-tiny", "f32"},
                                         Case{"qwen2-tiny", "f32"}, Case{"llama-tiny", "f32"},
                                         Case{"llada-moe-tiny", "f32"}),
                         [](const testing::TestParamInfo<Case>& info) {
                             std::string name = info.param.fixture;
                             for (char& ch : name)
                                 if (ch == '-') ch = '_';
                             return name;
                         });

// A BF16 file under compute = "auto" keeps its matrices at their size in float16 panels
// (f16_panels.h, on AVX-512 FP16 CPUs) or bf16 panels (bf16_panels.h): the engine holds the
// file's bytes, not float32's twice that. The logits: the float32 path's on the same file
// (bf16 panels: the same products summed in another order; float16: within its error) and
// close to llama.cpp's.
TEST(GgufModel, Bf16FileKeepsItsMatricesAtTheFilesSize) {
    if (active_isa() == Isa::avx2) GTEST_SKIP() << "the bf16 panels need AVX-512";
    for (const char* name : {"llada-tiny-bf16", "dream-tiny-bf16"}) {
        const std::string gguf = converted(Case{name, "bf16"});
        auto as_f32 = Model::load(gguf, f32_compute());
        auto panels = Model::load(gguf);
        EXPECT_LE(panels->packed_bytes() * 10, as_f32->packed_bytes() * 6) << name;  // ~half, plus norms/biases
        EXPECT_EQ(panels->products(), has_f16_products() ? "float16 panels" : "bf16 panels") << name;
        EXPECT_EQ(as_f32->products(), "f32 packed") << name;
        const auto ids = test::random_ids(24, panels->vocab_size(), 9);
        std::vector<float> want, got;
        as_f32->forward({ids}, {}, want);
        panels->forward({ids}, {}, got);
        EXPECT_LT(test::relative_error(got, want), has_f16_products() ? 1e-2 : 1e-5) << name;
        std::printf("%s: %s panels vs the f32 path %.2e\n", name, has_f16_products() ? "f16" : "bf16",
                    test::relative_error(got, want));
        if (!test::have_llama_reference()) continue;
        std::vector<float> theirs = test::llama_logits(gguf, ids);
        const int64_t v = panels->vocab_size();
        if (panels->config().shift_logits)
            for (int64_t i = static_cast<int64_t>(ids.size()) - 1; i >= 1; --i)
                std::copy_n(theirs.begin() + (i - 1) * v, v, theirs.begin() + i * v);
        // llama.cpp rounds its inputs to bf16 for BF16 weights (vdpbf16ps); we do not.
        EXPECT_LT(test::relative_error(got, theirs), 2e-2) << name;
        std::printf("%s: panels vs llama.cpp %.2e\n", name, test::relative_error(got, theirs));
    }
}

TEST(GgufModel, LladaQkRowsArePermutedInTheFileAndRestoredOnLoad) {
    const std::string gguf = test::scratch_dir() + "/llada.gguf";
    write_gguf_from_folder(test::fixture("llada-tiny"), gguf, "f32");
    const GgufFile file(gguf);
    const GgufTensor* q = file.find("blk.0.attn_q.weight");
    ASSERT_NE(q, nullptr);
    Checkpoint folder = Checkpoint::open(test::fixture("llada-tiny"));
    const TensorInfo* hf = folder.find("model.transformer.blocks.0.q_proj.weight");
    ASSERT_NE(hf, nullptr);
    const int64_t cols = q->dims[0], head_dim = 16;  // llada-tiny: d 64, 4 heads
    ASSERT_EQ(q->bytes, hf->bytes);
    // Row 1 of the file is row head_dim/2 of the folder (pairs interleaved per head).
    EXPECT_EQ(std::memcmp(q->data + 1 * cols * 4, hf->data + (head_dim / 2) * cols * 4, cols * 4), 0);
    EXPECT_NE(std::memcmp(q->data, hf->data, q->bytes), 0);
    Checkpoint reopened = Checkpoint::open(gguf);
    EXPECT_EQ(std::memcmp(reopened.find("model.transformer.blocks.0.q_proj.weight")->data, hf->data, hf->bytes), 0);
}

TEST(GgufModel, WriterMetadataMatchesLlamaCppsConverter) {
    const std::string gguf = test::scratch_dir() + "/dream.gguf";
    write_gguf_from_folder(test::fixture("dream-e2e"), gguf, "bf16");
    const GgufFile file(gguf);
    EXPECT_EQ(file.string("general.architecture"), "dream");
    EXPECT_EQ(file.string("tokenizer.ggml.model"), "gpt2");
    EXPECT_EQ(file.string("tokenizer.ggml.pre"), "qwen2");
    EXPECT_FALSE(file.flag_or("dream.attention.causal", true));
    auto model = Model::load(gguf);
    EXPECT_EQ(static_cast<int64_t>(file.strings_or_empty("tokenizer.ggml.tokens").size()), model->vocab_size());
    EXPECT_EQ(file.integer("tokenizer.ggml.mask_token_id"), 151669);
    EXPECT_EQ(file.find("blk.0.attn_q.weight")->type->id, kGgmlBF16);
    EXPECT_EQ(file.find("blk.0.attn_q.bias")->type->id, kGgmlF32);  // 1-D tensors stay F32
    EXPECT_EQ(file.find("output_norm.weight")->type->id, kGgmlF32);
    EXPECT_GT(file.strings_or_empty("tokenizer.ggml.merges").size(), 100000u);
}

TEST(GgufModel, TokenizerJsonBesideTheFileIsTheModelsTokenizer) {
    EXPECT_EQ(tokenizer_json_for_model("/m/x.gguf"), "/m/tokenizer.json");
    EXPECT_EQ(tokenizer_json_for_model("/m/folder"), "/m/folder/tokenizer.json");
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

// `remask convert` through the built binary (env REMASK_BIN): llama.cpp loads the output
// and gives the source folder's logits.
std::string run_convert(const std::string& args) {
    const char* bin = std::getenv("REMASK_BIN");
    if (!bin) ADD_FAILURE() << "REMASK_BIN is not set";
    const std::string command = std::string(bin ? bin : "remask") + " convert " + args + " 2>&1";
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int status = ::pclose(pipe);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "" : "failed: " + out;
}

TEST(GgufConvertCommand, OutputLoadsInLlamaCppWithTheFoldersLogits) {
    REQUIRE_LLAMA_REFERENCE();
    for (const char* name : {"llada-tiny", "dream-tiny"}) {
        const std::string gguf = test::scratch_dir() + "/" + name + ".gguf";
        ASSERT_EQ(run_convert(test::fixture(name) + " " + gguf + " --type f32"), "");
        LoadOptions f32;
        f32.compute = "f32";
        auto folder = Model::load(test::fixture(name), f32);
        const auto ids = test::random_ids(10, folder->vocab_size(), 3);
        std::vector<float> want;
        folder->forward({ids}, {}, want);
        std::vector<float> theirs = test::llama_logits(gguf, ids);
        ASSERT_EQ(theirs.size(), want.size());
        const int64_t v = folder->vocab_size();
        if (folder->config().shift_logits)
            for (int64_t i = static_cast<int64_t>(ids.size()) - 1; i >= 1; --i)
                std::copy_n(theirs.begin() + (i - 1) * v, v, theirs.begin() + i * v);
        EXPECT_LT(test::relative_error(theirs, want), 1e-5) << name;
    }
}

TEST(GgufConvertCommand, RealTokenizerFileLoadsInLlamaCpp) {
    REQUIRE_LLAMA_REFERENCE();
    const std::string gguf = test::scratch_dir() + "/llada-e2e.gguf";
    ASSERT_EQ(run_convert(test::fixture("llada-e2e") + " " + gguf + " --type bf16"), "");
    auto model = Model::load(gguf);
    const std::vector<int32_t> ids = {128256, 9906, 1917, 128258, 128258, 128257};
    const std::vector<float> theirs = test::llama_logits(gguf, ids);
    EXPECT_EQ(static_cast<int64_t>(theirs.size()), model->vocab_size() * static_cast<int64_t>(ids.size()));
}

TEST(GgufConvertCommand, BadTypeAndBadFolderAreOneLineErrors) {
    const std::string out = test::scratch_dir() + "/x.gguf";
    const std::string bad_type = run_convert(test::fixture("llada-tiny") + " " + out + " --type q3");
    EXPECT_NE(bad_type.find("remask: error: --type: 'q3' is not one of f32, f16, bf16"), std::string::npos) << bad_type;
    const std::string no_folder = run_convert("/nonexistent " + out);
    EXPECT_NE(no_folder.find("remask: error: /nonexistent"), std::string::npos) << no_folder;
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

}  // namespace
}  // namespace remask
