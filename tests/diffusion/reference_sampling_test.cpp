// The C++ samplers against scripts/reference_sampling.py, a NumPy transcription of the
// reference loops (LLaDA generate.py, Dream's _sample, Fast-dLLM's threshold rule), on the
// same table model with noise disabled (temperature 0, alg_temp 0): every step must reveal
// the same positions with the same tokens.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "diffusion/denoise.h"
#include "diffusion/sampler_factory.h"
#include "fake_sources.h"

namespace remask {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::TableModelSource;
using testing::Tables;

constexpr int64_t kReferenceVocab = 16;
constexpr int32_t kReferenceMask = kReferenceVocab;  // outside the vocab, as in the fixtures
constexpr int64_t kR = 5;

// Values on a coarse grid, so equal confidences (ties) happen and the tie rules matter.
std::vector<float> grid_table(int64_t rows, int64_t cols, uint64_t seed, float step, int levels) {
    RandomStream rng(seed);
    std::vector<float> t(size_t(rows * cols));
    for (float& v : t) v = step * float(int64_t(rng.uniform() * levels) - levels / 2);
    return t;
}

struct Compared {
    std::string algorithm;  // llada | dream | threshold
    SamplingOptions sampling;
    json options;  // what the script reads
    double cfg_scale = 0.0;
    std::vector<int32_t> forbidden;
    std::vector<std::vector<int32_t>> tokens;
};

void compare_with_reference(const Compared& c, const std::string& name) {
    const int64_t length = int64_t(c.tokens[0].size());
    Tables tables;
    tables.length = length;
    tables.vocab = kReferenceVocab;
    tables.r = kR;
    // Position rows repeat every 3 positions, so equal logit rows (exact ties) occur.
    const std::vector<float> rows = grid_table(3, kReferenceVocab, 1, 0.5f, 9);
    for (int64_t p = 0; p < length; ++p) {
        tables.a.insert(tables.a.end(), rows.begin() + (p % 3) * kReferenceVocab, rows.begin() + (p % 3 + 1) * kReferenceVocab);
    }
    tables.b = grid_table(kR, kReferenceVocab, 2, 0.5f, 7);
    tables.c = grid_table(kR, kReferenceVocab, 3, 0.25f, 5);

    const fs::path dir = fs::path(REMASK_BINARY_DIR) / "test_scratch" / "reference_sampling" / name;
    fs::create_directories(dir);
    testing::write_npy((dir / "A.npy").string(), tables.a, length, kReferenceVocab);
    testing::write_npy((dir / "B.npy").string(), tables.b, kR, kReferenceVocab);
    testing::write_npy((dir / "C.npy").string(), tables.c, kR, kReferenceVocab);
    json spec = {{"algorithm", c.algorithm},
                 {"mask_id", kReferenceMask},
                 {"tokens", c.tokens},
                 {"tables", {{"A", (dir / "A.npy").string()}, {"B", (dir / "B.npy").string()},
                             {"C", (dir / "C.npy").string()}}},
                 {"options", c.options}};
    spec["options"]["cfg_scale"] = c.cfg_scale;
    spec["options"]["forbidden_tokens"] = c.forbidden;
    std::ofstream(dir / "spec.json") << spec.dump();
    const std::string command = std::string(REMASK_PYTHON) + " " + REMASK_SOURCE_DIR +
                                "/scripts/reference_sampling.py " + (dir / "spec.json").string() + " " +
                                (dir / "out.json").string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    json expected = json::parse(std::ifstream(dir / "out.json"));

    TableModelSource source(tables, kReferenceMask);
    std::vector<std::vector<int32_t>> batch = c.tokens;
    auto sampler = make_sampler(c.sampling);
    DenoiseOptions o;
    o.mask_id = kReferenceMask;
    o.cfg_scale = c.cfg_scale;
    o.forbidden_tokens = c.forbidden;
    o.record_trace = true;
    DenoiseResult r = denoise(source, *sampler, batch, o);

    EXPECT_EQ(json(batch), expected["tokens"]) << name;
    ASSERT_EQ(r.trace.size(), expected["steps"].size()) << name;
    for (size_t s = 0; s < r.trace.size(); ++s) {
        const json& want = expected["steps"][s];
        EXPECT_EQ(r.trace[s].step, want["step"].get<int64_t>()) << name << " step " << s;
        for (size_t b = 0; b < batch.size(); ++b) {
            std::vector<Reveal> got = r.trace[s].rows[b];
            std::sort(got.begin(), got.end(), [](const Reveal& x, const Reveal& y) { return x.position < y.position; });
            json pairs = json::array();
            for (const Reveal& rv : got) pairs.push_back({rv.position, rv.token});
            EXPECT_EQ(pairs, want["rows"][b]) << name << " step " << s << " row " << b;
        }
    }
    EXPECT_LE(r.steps, expected["forwards"].get<int64_t>()) << "skipped steps spend no forward pass";
}

std::vector<int32_t> prompt_then_masks(std::vector<int32_t> prompt, int64_t masks) {
    prompt.insert(prompt.end(), size_t(masks), kReferenceMask);
    return prompt;
}

std::vector<int32_t> scattered(uint64_t seed) {
    std::vector<int32_t> x = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2};
    for (size_t p : {2u, 3u, 4u, 5u, 9u, 12u, 13u, 14u, 15u, 16u, 20u}) x[p] = kReferenceMask;
    x[0] = int32_t(seed % 7);
    return x;
}

TEST(ReferenceSampling, LladaGenerationWithBlocks) {
    Compared c;
    c.algorithm = "llada";
    c.sampling.sampler = "low_confidence";
    c.sampling.steps = 8;
    c.sampling.block_length = 8;
    c.options = {{"steps", 8}, {"block_length", 8}};
    c.tokens = {prompt_then_masks({1, 2, 3, 4, 5, 6}, 16), prompt_then_masks({6, 5, 4, 3, 2, 1}, 16)};
    compare_with_reference(c, "llada_blocks");
}

TEST(ReferenceSampling, LladaWithGuidanceAndForbiddenEndOfText) {
    Compared c;
    c.algorithm = "llada";
    c.sampling.steps = 6;
    c.sampling.block_length = 4;
    c.options = {{"steps", 6}, {"block_length", 4}};
    c.cfg_scale = 0.5;
    c.forbidden = {0};
    c.tokens = {prompt_then_masks({7, 1, 8, 2, 8}, 12)};
    compare_with_reference(c, "llada_cfg");
}

TEST(ReferenceSampling, LladaInfillOfScatteredSpans) {
    Compared c;
    c.algorithm = "llada";
    c.sampling.steps = 5;
    c.options = {{"steps", 5}, {"block_length", 0}};
    c.tokens = {scattered(1), scattered(2), scattered(3)};
    compare_with_reference(c, "llada_infill");
}

TEST(ReferenceSampling, DreamAlgorithms) {
    for (const std::string alg : {"maskgit_plus", "topk_margin", "entropy"}) {
        Compared c;
        c.algorithm = "dream";
        c.sampling.sampler = alg;
        c.sampling.steps = 7;
        c.options = {{"steps", 7}, {"alg", alg}, {"eps", 1e-3}};
        c.tokens = {scattered(4), scattered(5)};
        compare_with_reference(c, "dream_" + alg);
    }
}

TEST(ReferenceSampling, DreamWithTopPAndTopK) {
    Compared c;
    c.algorithm = "dream";
    c.sampling.sampler = "maskgit_plus";
    c.sampling.steps = 4;
    c.sampling.top_p = 0.8;
    c.sampling.top_k = 5;
    c.options = {{"steps", 4}, {"alg", "maskgit_plus"}, {"top_p", 0.8}, {"top_k", 5}};
    c.tokens = {prompt_then_masks({2, 4, 6}, 10)};
    compare_with_reference(c, "dream_filtered");
}

TEST(ReferenceSampling, ThresholdUnmasking) {
    Compared c;
    c.algorithm = "threshold";
    c.sampling.steps = 12;
    c.sampling.block_length = 6;
    c.sampling.threshold = 0.3;
    c.options = {{"steps", 12}, {"block_length", 6}, {"threshold", 0.3}};
    c.tokens = {prompt_then_masks({1, 3, 5}, 18), prompt_then_masks({2, 4, 6}, 18)};
    compare_with_reference(c, "threshold");
}

}  // namespace
}  // namespace remask
