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
//   llama_reference infill-bench MODEL SEQS LENGTH THREADS REPEAT together|apart
//       a diffusion step over SEQS sequences of LENGTH random ids (one llama_decode of all
//       of them, or one per sequence); one JSON line: median seconds per step, its split
//       into the body (up to the final norm) and the LM head with the logits' copy-out,
//       and peak resident memory

#include <algorithm>
#include <chrono>
#include <cinttypes>
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

// The eval callback infill-bench uses to split a forward at the final norm: asked about
// every node, it wants "result_norm" only while `on`, so when off the scheduler runs each
// split in one piece as without a callback.
struct HeadSplitClock {
    bool on = false;
    std::chrono::steady_clock::time_point body_done;
};

bool head_split_callback(ggml_tensor* t, bool ask, void* user_data) {
    auto* clock = static_cast<HeadSplitClock*>(user_data);
    if (ask) return clock->on && std::strcmp(t->name, "result_norm") == 0;
    clock->body_done = std::chrono::steady_clock::now();
    return true;
}

Loaded load(const std::string& path, int n_tokens, int threads, int n_seqs = 1, HeadSplitClock* clock = nullptr) {
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
    cp.n_seq_max = static_cast<uint32_t>(n_seqs);
    if (clock) {
        cp.cb_eval = head_split_callback;
        cp.cb_eval_user_data = clock;
    }
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;  // its CPU flash attention casts K/V to f16
    cp.type_k = GGML_TYPE_F32;  // causal models cache K/V, in f16 by default
    cp.type_v = GGML_TYPE_F32;
    l.ctx = llama_init_from_model(l.model, cp);
    if (!l.ctx) die("llama.cpp cannot make a context for " + path);
    l.n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(l.model));
    return l;
}

// One llama_decode of several sequences (sequence s has seq_id s, positions from 0).
void decode_sequences(Loaded& l, const std::vector<std::vector<llama_token>>& seqs) {
    size_t total = 0;
    for (const auto& ids : seqs) total += ids.size();
    llama_batch batch = llama_batch_init(static_cast<int32_t>(total), 0, 1);
    int32_t n = 0;
    for (size_t s = 0; s < seqs.size(); ++s)
        for (size_t i = 0; i < seqs[s].size(); ++i, ++n) {
            batch.token[n] = seqs[s][i];
            batch.pos[n] = static_cast<llama_pos>(i);
            batch.n_seq_id[n] = 1;
            batch.seq_id[n][0] = static_cast<llama_seq_id>(s);
            batch.logits[n] = 1;  // the encoder path llama.cpp takes for these models outputs every row anyway
        }
    batch.n_tokens = n;
    llama_memory_t memory = llama_get_memory(l.ctx);
    if (memory) llama_memory_clear(memory, true);
    if (llama_decode(l.ctx, batch) != 0) die("llama_decode failed");
    llama_batch_free(batch);
}

void decode_all(Loaded& l, const std::vector<llama_token>& ids) { decode_sequences(l, {ids}); }

int64_t peak_resident_bytes() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
    return 0;
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

int infill_bench(int argc, char** argv) {
    if (argc < 8) die("usage: infill-bench MODEL SEQS LENGTH THREADS REPEAT together|apart");
    const int seqs = std::atoi(argv[3]), length = std::atoi(argv[4]), threads = std::atoi(argv[5]),
              repeat = std::atoi(argv[6]);
    const std::string mode = argv[7];
    if (seqs < 1 || length < 1 || repeat < 1 || (mode != "together" && mode != "apart"))
        die("bad infill-bench arguments");
    const bool together = mode == "together";
    HeadSplitClock clock;
    Loaded l = load(argv[2], together ? seqs * length : length, threads, together ? seqs : 1, &clock);
    std::mt19937 rng(1);
    std::vector<std::vector<llama_token>> ids(seqs, std::vector<llama_token>(length));
    for (auto& seq : ids)
        for (auto& id : seq) id = static_cast<llama_token>(rng() % l.n_vocab);
    using Clock = std::chrono::steady_clock;
    // One step: every sequence's full forward; returns (seconds, seconds up to the final norm).
    auto step = [&]() {
        const auto start = Clock::now();
        double body = 0;
        if (together) {
            decode_sequences(l, ids);
            body = std::chrono::duration<double>(clock.body_done - start).count();
        } else {
            for (const auto& seq : ids) {
                const auto one = Clock::now();
                decode_sequences(l, {seq});
                body += std::chrono::duration<double>(clock.body_done - one).count();
            }
        }
        return std::make_pair(std::chrono::duration<double>(Clock::now() - start).count(), body);
    };
    step();  // warm-up
    std::vector<double> totals, bodies, heads;
    for (int r = 0; r < repeat; ++r) totals.push_back(step().first);  // as without a callback
    clock.on = true;
    for (int r = 0; r < repeat; ++r) {
        const auto [total, body] = step();
        bodies.push_back(body);
        heads.push_back(total - body);
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf("{\"mode\": \"%s\", \"seqs\": %d, \"length\": %d, \"threads\": %d, \"repeat\": %d, "
                "\"seconds_per_step\": %.4f, \"body_seconds\": %.4f, \"head_seconds\": %.4f, "
                "\"n_vocab\": %d, \"peak_rss_bytes\": %" PRId64 "}\n",
                mode.c_str(), seqs, length, threads, repeat, median(totals), median(bodies), median(heads), l.n_vocab,
                peak_resident_bytes());
    llama_free(l.ctx);
    llama_model_free(l.model);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) die("usage: llama_reference logits|quantize|blocks|bench|infill-bench ...");
    init();
    const std::string command = argv[1];
    if (command == "logits") return logits(argc, argv);
    if (command == "quantize") return quantize(argc, argv);
    if (command == "blocks") return blocks(argc, argv);
    if (command == "bench") return bench(argc, argv);
    if (command == "infill-bench") return infill_bench(argc, argv);
    die("unknown command " + command);
}
