#pragma once
// A fresh directory under the build tree for one test, with a helper to write files.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace remask::testing {

inline std::filesystem::path fresh_dir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    auto dir = std::filesystem::path(REMASK_BINARY_DIR) / "test-tmp" / "tasks" /
               (std::string(info->test_suite_name()) + "." + info->name());
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

inline std::string write_file(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

}  // namespace remask::testing
