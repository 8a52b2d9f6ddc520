#pragma once
// Test support: the real tokenizer files, the committed corpus, and running the reference
// (tests/tokenizer/reference_encode.js on Hugging Face `tokenizers`) into the build folder.

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace remask::testing {

std::string qwen3_tokenizer_path();
std::string llama3_tokenizer_path();
std::string corpus_path();

// Every line of a JSON-lines file, parsed.
std::vector<nlohmann::json> read_json_lines(const std::string& path);
std::vector<std::string> read_corpus();
void write_json_lines(const std::string& path, const std::vector<nlohmann::json>& items);

// A fresh scratch folder under the build folder for this test.
std::filesystem::path scratch_dir(const std::string& name);

// Runs the reference: mode "encode" or "decode", flags such as "--plain"; returns the
// parsed output lines. Fails the test (via exception) when node fails.
std::vector<nlohmann::json> run_reference(const std::string& mode,
                                          const std::string& tokenizer_json,
                                          const std::vector<nlohmann::json>& inputs,
                                          const std::string& flags,
                                          const std::string& scratch_name);

}  // namespace remask::testing
