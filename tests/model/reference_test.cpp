// Our logits against scripts/reference_forward.py, an independent NumPy forward pass
// written from the Hugging Face modeling code, on every fixture family and dtype.

#include <gtest/gtest.h>

#include <iostream>

#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

struct ReferenceCase {
    const char* fixture;
    // Relative Frobenius error: 1e-4 for fp32 weights, 1e-2 for 16-bit (computed in bf16
    // with fp32 accumulation where the CPU has AVX-512 BF16), 4e-2 for --quant int8 (measured ~2e-2).
    double tolerance;
    const char* quant = "none";
};

void PrintTo(const ReferenceCase& c, std::ostream* os) {
    *os << c.fixture << " (quant " << c.quant << ", tolerance " << c.tolerance << ")";
}

class ReferenceTest : public testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceTest, LogitsMatchReference) {
    const ReferenceCase c = GetParam();
    LoadOptions options;
    options.quant = c.quant;
    auto model = Model::load(test::fixture(c.fixture), options);
    const int64_t v = model->vocab_size();
    const auto ids = test::random_ids(13, v, 7);
    const NpyArray ref = test::reference_logits(test::fixture(c.fixture), ids);
    ASSERT_EQ(ref.shape, (std::vector<int64_t>{13, v}));

    std::vector<float> all;
    model->forward({ids}, {}, all);
    const double error = test::relative_error(all, ref.data);
    EXPECT_LT(error, c.tolerance) << "all rows";
    RecordProperty("relative_error", std::to_string(error));
    std::cout << c.fixture << " quant " << c.quant << " compute " << compute_type_name(model->compute_type())
              << ": relative error " << error << "\n";

    // Only some rows, in any order (row 0 checks Dream's edge, 12 the last).
    const std::vector<int64_t> rows = {12, 0, 3};
    std::vector<float> some, ref_rows;
    model->forward({ids}, rows, some);
    for (int64_t r : rows) ref_rows.insert(ref_rows.end(), ref.data.begin() + r * v, ref.data.begin() + (r + 1) * v);
    EXPECT_LT(test::relative_error(some, ref_rows), c.tolerance) << "rows 12, 0, 3";
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, ReferenceTest,
    testing::Values(ReferenceCase{"llada-tiny", 1e-4}, ReferenceCase{"llada-tiny-bf16", 1e-2},
                    ReferenceCase{"llada-variant-tiny", 1e-4}, ReferenceCase{"dream-tiny", 1e-4},
                    ReferenceCase{"dream-tiny-bf16", 1e-2}, ReferenceCase{"qwen2-tiny", 1e-4},
                    ReferenceCase{"qwen2-tiny-bf16", 1e-2}, ReferenceCase{"qwen2-tiny-f16", 1e-2},
                    ReferenceCase{"llama-tiny", 1e-4}, ReferenceCase{"llama-tiny-bf16", 1e-2},
                    ReferenceCase{"llama-variant-tiny", 1e-4}, ReferenceCase{"dream-e2e", 1e-2},
                    ReferenceCase{"llada-tiny", 4e-2, "int8"}, ReferenceCase{"dream-tiny-bf16", 4e-2, "int8"},
                    ReferenceCase{"qwen2-tiny", 4e-2, "int8"}, ReferenceCase{"llama-tiny-bf16", 4e-2, "int8"},
                    ReferenceCase{"dream-e2e", 4e-2, "int8"}, ReferenceCase{"llada-moe-tiny", 1e-5},
                    ReferenceCase{"llada-moe-tiny-bf16", 1e-2}, ReferenceCase{"llada-moe-tiny", 4e-2, "int8"}),
    [](const testing::TestParamInfo<ReferenceCase>& info) {
        std::string name = info.param.fixture;
        if (std::string(info.param.quant) != "none") name += std::string("_") + info.param.quant;
        for (char& ch : name)
            if (ch == '-') ch = '_';
        return name;
    });

}  // namespace
}  // namespace remask
