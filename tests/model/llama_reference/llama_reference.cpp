// The llama.cpp reference for tests and benchmarks (never part of the product): a small
// program over llama.cpp's own prebuilt libraries (libllama, libggml, libggml-base from
// @node-llama-cpp/linux-x64, headers from the matching source tree).
//
//   llama_reference logits MODEL.gguf IDS(1,2,3) OUT.f32 [THREADS]
//       every row's logits, float32 [n, vocab]; flash attention off; prints "n vocab"
//   llama_reference quantize IN.gguf OUT.gguf FTYPE [pure]
//       llama_model_quantize (FTYPE: llama_ftype number, e.g. 7 = Q8_0, 15 = Q4_K_M)
//   llama_reference blocks TYPE ROWS COLS IN.f32 OUT.blocks OUT.f32
//       ggml_quantize_chunk of IN into blocks of ggml type TYPE, then ggml's own to_float
//   llama_reference bench MODEL.gguf LENGTH THREADS REPEAT
//       median seconds of a forward over LENGTH random ids with logits on every row

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

// Under the asan preset this program is instrumented but llama.cpp's libraries are not:
// their allocations at exit are not ours to report.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

namespace {

void quiet(ggml_log_level level, const char* text, void*) {
    if (level >= GGML_LOG_LEVEL_ERROR || std::getenv("LLAMA_REFERENCE_VERBOSE")) std::fputs(text, stderr);
}

void init() {
    llama_log_set(quiet, nullptr);
    ggml_backend_load_all_from_path(REMASK_LLAMA_LIB_DIR);
    llama_backend_init();
}

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "llama_reference: %s\n", message.c_str());
    std::exit(1);
}

std::vector<char> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) die("cannot read " + path);
    return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_file(const std::string& path, const void* data, size_t bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
    if (!out) die("cannot write " + path);
}

struct Loaded {
    llama_model* model = nullptr;
    llama_context* ctx = nullptr;
    int n_vocab = 0;
};

Loaded load(const std::string& path, int n_tokens, int threads) {
    Loaded l;
    llama_model_params mp = llama_model_default_params();
    l.model = llama_model_load_from_file(path.c_str(), mp);
    if (!l.model) die("llama.cpp cannot load " + path);
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = std::max(n_tokens, 16);
    cp.n_batch = cp.n_ctx;
    cp.n_ubatch = cp.n_ctx;  // bidirectional models need the whole sequence in one ubatch
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;  // its CPU flash attention casts K/V to f16
    cp.type_k = GGML_TYPE_F32;  // causal models cache K/V, in f16 by default
    cp.type_v = GGML_TYPE_F32;
    l.ctx = llama_init_from_model(l.model, cp);
    if (!l.ctx) die("llama.cpp cannot make a context for " + path);
    l.n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(l.model));
    return l;
}

void decode_all(Loaded& l, const std::vector<llama_token>& ids) {
    llama_batch batch = llama_batch_init(static_cast<int32_t>(ids.size()), 0, 1);
    for (size_t i = 0; i < ids.size(); ++i) {
        batch.token[i] = ids[i];
        batch.pos[i] = static_cast<llama_pos>(i);
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;
    }
    batch.n_tokens = static_cast<int32_t>(ids.size());
    llama_memory_t memory = llama_get_memory(l.ctx);
    if (memory) llama_memory_clear(memory, true);
    if (llama_decode(l.ctx, batch) != 0) die("llama_decode failed");
    llama_batch_free(batch);
}

int logits(int argc, char** argv) {
    if (argc < 5) die("usage: logits MODEL IDS OUT [THREADS]");
    std::vector<llama_token> ids;
    for (const char* p = argv[3]; *p;) {
        char* end;
        ids.push_back(static_cast<llama_token>(std::strtol(p, &end, 10)));
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p) die("bad ids");
    }
    Loaded l = load(argv[2], static_cast<int>(ids.size()), argc > 5 ? std::atoi(argv[5]) : 2);
    decode_all(l, ids);
    std::vector<float> out;
    for (size_t i = 0; i < ids.size(); ++i) {
        const float* row = llama_get_logits_ith(l.ctx, static_cast<int32_t>(i));
        if (!row) die("no logits for row " + std::to_string(i));
        out.insert(out.end(), row, row + l.n_vocab);
    }
    write_file(argv[4], out.data(), out.size() * sizeof(float));
    std::printf("%zu %d\n", ids.size(), l.n_vocab);
    llama_free(l.ctx);
    llama_model_free(l.model);
    return 0;
}

int quantize(int argc, char** argv) {
    if (argc < 5) die("usage: quantize IN OUT FTYPE [pure]");
    llama_model_quantize_params p = llama_model_quantize_default_params();
    p.ftype = static_cast<llama_ftype>(std::atoi(argv[4]));
    p.nthread = 2;
    p.pure = argc > 5 && std::string(argv[5]) == "pure";
    if (llama_model_quantize(argv[2], argv[3], &p) != 0) die(std::string("llama_model_quantize failed on ") + argv[2]);
    return 0;
}

int blocks(int argc, char** argv) {
    if (argc < 8) die("usage: blocks TYPE ROWS COLS IN.f32 OUT.blocks OUT.f32");
    const auto type = static_cast<ggml_type>(std::atoi(argv[2]));
    const int64_t rows = std::atoll(argv[3]), cols = std::atoll(argv[4]);
    std::vector<char> in = read_file(argv[5]);
    if (static_cast<int64_t>(in.size()) != rows * cols * 4) die("input size");
    const size_t row_bytes = ggml_row_size(type, cols);
    std::vector<uint8_t> q(row_bytes * rows);
    ggml_quantize_chunk(type, reinterpret_cast<const float*>(in.data()), q.data(), 0, rows, cols, nullptr);
    std::vector<float> back(rows * cols);
    const ggml_type_traits* traits = ggml_get_type_traits(type);
    if (!traits->to_float) die("no to_float for the type");
    for (int64_t r = 0; r < rows; ++r) traits->to_float(q.data() + r * row_bytes, back.data() + r * cols, cols);
    write_file(argv[6], q.data(), q.size());
    write_file(argv[7], back.data(), back.size() * sizeof(float));
    return 0;
}

int bench(int argc, char** argv) {
    if (argc < 6) die("usage: bench MODEL LENGTH THREADS REPEAT");
    const int length = std::atoi(argv[3]), threads = std::atoi(argv[4]), repeat = std::atoi(argv[5]);
    Loaded l = load(argv[2], length, threads);
    std::mt19937 rng(1);
    std::vector<llama_token> ids(length);
    for (auto& id : ids) id = static_cast<llama_token>(rng() % l.n_vocab);
    decode_all(l, ids);  // warm-up
    std::vector<double> times;
    for (int r = 0; r < repeat; ++r) {
        const auto start = std::chrono::steady_clock::now();
        decode_all(l, ids);
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf("%.4f\n", times[times.size() / 2]);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) die("usage: llama_reference logits|quantize|blocks|bench ...");
    init();
    const std::string command = argv[1];
    if (command == "logits") return logits(argc, argv);
    if (command == "quantize") return quantize(argc, argv);
    if (command == "blocks") return blocks(argc, argv);
    if (command == "bench") return bench(argc, argv);
    die("unknown command " + command);
}
