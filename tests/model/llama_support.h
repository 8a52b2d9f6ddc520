#pragma once
// Running llama.cpp's own library (tests/model/llama_reference) from the GGUF tests.
// Tests that need it skip with a message where the build found no llama.cpp libraries
// (scripts/setup.sh installs them, so CI always has them).

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "test_support.h"

namespace remask::test {

inline bool have_llama_reference() {
#ifdef REMASK_LLAMA_REFERENCE
    return true;
#else
    return false;
#endif
}

#ifdef REMASK_LLAMA_REFERENCE
#define REQUIRE_LLAMA_REFERENCE() (void)0
#else
#define REQUIRE_LLAMA_REFERENCE() GTEST_SKIP() << "llama.cpp's libraries were not found at configure time"
#endif

inline std::string llama_reference_binary() {
#ifdef REMASK_LLAMA_REFERENCE
    return REMASK_LLAMA_REFERENCE;
#else
    return "";
#endif
}

// Runs `llama_reference args`; returns its exit status (0 = success).
inline int run_llama_reference(const std::string& args) {
    const std::string command = llama_reference_binary() + " " + args;
    const int rc = std::system(command.c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

inline std::vector<float> read_f32_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> out(bytes.size() / 4);
    std::memcpy(out.data(), bytes.data(), out.size() * 4);
    return out;
}

// llama.cpp's logits [ids, vocab] for every row of `ids` (flash attention off).
inline std::vector<float> llama_logits(const std::string& gguf, const std::vector<int32_t>& ids) {
    const std::string out = gguf + ".llama_logits.f32";  // beside the file (scratch_dir() would empty the folder)
    std::string list;
    for (int32_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
    EXPECT_EQ(run_llama_reference("logits " + gguf + " " + list + " " + out + " 2 >/dev/null"), 0)
        << "llama.cpp failed on " << gguf;
    return read_f32_file(out);
}

}  // namespace remask::test
