#pragma once
// Helpers shared by the model tests: fixture paths, scratch folders, the NumPy reference.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

#include "model/npy.h"

namespace remask::test {

inline std::string fixture(const std::string& name) {
    return std::string(REMASK_BINARY_DIR) + "/fixtures/" + name;
}

// A fresh folder under the test temp dir, unique per process and test.
inline std::string scratch_dir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& ch : name)
        if (ch == '/') ch = '_';
    const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) /
                                      ("remask_model_" + std::to_string(::getpid()) + "_" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir.string();
}

// Copies a fixture folder into a scratch folder so a test can damage it.
inline std::string copy_fixture(const std::string& name) {
    const std::string dir = scratch_dir() + "/" + name;
    std::filesystem::copy(fixture(name), dir, std::filesystem::copy_options::recursive);
    return dir;
}

inline std::string join(const std::vector<int64_t>& values) {
    std::string out;
    for (int64_t v : values) {
        if (!out.empty()) out += ',';
        out += std::to_string(v);
    }
    return out;
}

inline std::vector<int32_t> random_ids(int64_t n, int64_t vocab, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(vocab - 1));
    std::vector<int32_t> ids(n);
    for (auto& id : ids) id = pick(rng);
    return ids;
}

// Logits [rows, vocab] from scripts/reference_forward.py (independent NumPy forward).
inline NpyArray reference_logits(const std::string& model_dir, const std::vector<int32_t>& ids,
                                 const std::vector<int64_t>& rows = {}) {
    const std::string out = scratch_dir() + "/reference.npy";
    std::string command = std::string(REMASK_PYTHON) + " " + REMASK_SOURCE_DIR +
                          "/scripts/reference_forward.py --model " + model_dir + " --ids " +
                          join(std::vector<int64_t>(ids.begin(), ids.end())) + " --out " + out;
    if (!rows.empty()) command += " --rows " + join(rows);
    const int rc = std::system(command.c_str());
    if (rc != 0) ADD_FAILURE() << "reference failed (" << rc << "): " << command;
    return read_npy_f32(out);
}

// ‖a − b‖ / ‖b‖ (Frobenius).
inline double relative_error(const float* a, const float* b, size_t n) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < n; ++i) {
        diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        norm += double(b[i]) * b[i];
    }
    return std::sqrt(diff / norm);
}

inline double relative_error(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    return relative_error(a.data(), b.data(), std::min(a.size(), b.size()));
}

}  // namespace remask::test
