// remask tokenize end to end through the built binary (REMASK_BIN): output formats from
// INTERFACES.md, a model folder as --tokenizer, and one-line errors with exit codes.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "reference_support.h"

namespace remask {
namespace {

struct Result {
    int exit_code;
    std::string out;
};

Result run(const std::string& arguments) {
    const char* binary = std::getenv("REMASK_BIN");
    if (!binary) throw std::runtime_error("REMASK_BIN is not set (run through ctest)");
    const std::string command = std::string("'") + binary + "' tokenize " + arguments + " 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    std::string out;
    std::array<char, 4096> buffer;
    size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
    const int status = pclose(pipe);
    return {WEXITSTATUS(status), out};
}

const std::string kFolder =
    std::filesystem::path(testing::qwen3_tokenizer_path()).parent_path().string();

TEST(TokenizeCommand, IdsTokensAndPlain) {
    EXPECT_EQ(run("--tokenizer '" + kFolder + "' 'Hello world<|im_end|>'").out,
              "[9707,1879,151645]\n");
    EXPECT_EQ(
        run("--tokenizer '" + testing::qwen3_tokenizer_path() + "' --tokens 'Hello world'").out,
        "[\"Hello\",\"Ġworld\"]\n");
    EXPECT_EQ(run("--tokenizer '" + kFolder + "' --plain '<|im_end|>'").out,
              "[27,91,318,6213,91,29]\n");
}

TEST(TokenizeCommand, DecodeAndJsonLines) {
    EXPECT_EQ(run("--tokenizer '" + kFolder + "' --decode '[9707,1879,999999]'").out,
              "Hello world");
    const auto dir = testing::scratch_dir("tokenize_command");
    std::ofstream(dir / "in.jsonl") << "\"Hello\"\n\"<|im_end|>\"\n";
    EXPECT_EQ(
        run("--tokenizer '" + kFolder + "' --jsonl '" + (dir / "in.jsonl").string() + "'").out,
        "[9707]\n[151645]\n");
    std::ofstream(dir / "ids.jsonl") << "[9707]\n[1879]\n";
    EXPECT_EQ(
        run("--tokenizer '" + kFolder + "' --decode --jsonl '" + (dir / "ids.jsonl").string() + "'")
            .out,
        "\"Hello\"\n\" world\"\n");
}

TEST(TokenizeCommand, ErrorsAreOneLine) {
    const Result missing = run("--tokenizer /nonexistent/tokenizer.json x");
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.out, "remask: error: /nonexistent/tokenizer.json: no such file or folder\n");
    const Result bad_ids = run("--tokenizer '" + kFolder + "' --decode '[1, \"x\"]'");
    EXPECT_EQ(bad_ids.exit_code, 1);
    EXPECT_NE(bad_ids.out.find("remask: error: TEXT: token ids must be integers"),
              std::string::npos)
        << bad_ids.out;
    EXPECT_EQ(run("x").exit_code, 2);  // --tokenizer is required
}

}  // namespace
}  // namespace remask
