#pragma once
// Scripted LogitsSource fakes for the sampler tests.
//
// ScriptedSource: logits come from a function of (call index, the sequence, its batch
// index, the position); every call is recorded (tokens and rows) so tests can check what
// the samplers asked for.
// TableModelSource: the table model scripts/reference_sampling.py computes, in float32:
//   logits[b, p] = (A[p] + B[x[b, p-1] % R]) + C[(unmasked tokens in x[b]) % R]

#include <cstdint>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/logits_source.h"

namespace remask::testing {

struct RecordedCall {
    std::vector<std::vector<int32_t>> tokens;
    std::vector<int64_t> rows;
};

class ScriptedSource : public LogitsSource {
public:
    // fill(call, sequence, batch_index, position, out[vocab])
    using Fill = std::function<void(int64_t, const std::vector<int32_t>&, size_t, int64_t, float*)>;

    ScriptedSource(int64_t vocab, Fill fill) : vocab_(vocab), fill_(std::move(fill)) {}

    int64_t vocab_size() const override { return vocab_; }
    int64_t forward_passes() const override { return int64_t(calls.size()); }

    void logits(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                std::vector<float>& out) override {
        const int64_t call = int64_t(calls.size());
        calls.push_back({tokens, rows});
        out.assign(tokens.size() * rows.size() * size_t(vocab_), 0.0f);
        for (size_t b = 0; b < tokens.size(); ++b) {
            for (size_t r = 0; r < rows.size(); ++r) {
                fill_(call, tokens[b], b, rows[r], out.data() + (b * rows.size() + r) * size_t(vocab_));
            }
        }
    }

    std::vector<RecordedCall> calls;

private:
    int64_t vocab_;
    Fill fill_;
};

struct Tables {
    int64_t length = 0, vocab = 0, r = 0;
    std::vector<float> a, b, c;  // [length, vocab], [r, vocab], [r, vocab]
};

class TableModelSource : public LogitsSource {
public:
    TableModelSource(Tables tables, int32_t mask_id) : t_(std::move(tables)), mask_id_(mask_id) {}

    int64_t vocab_size() const override { return t_.vocab; }
    int64_t forward_passes() const override { return calls_; }

    void logits(const std::vector<std::vector<int32_t>>& tokens, const std::vector<int64_t>& rows,
                std::vector<float>& out) override {
        ++calls_;
        const size_t v = size_t(t_.vocab);
        out.assign(tokens.size() * rows.size() * v, 0.0f);
        for (size_t b = 0; b < tokens.size(); ++b) {
            const auto& x = tokens[b];
            int64_t unmasked = 0;
            for (int32_t id : x) unmasked += id != mask_id_ ? 1 : 0;
            const size_t kc = size_t(unmasked % t_.r);
            for (size_t r = 0; r < rows.size(); ++r) {
                const size_t p = size_t(rows[r]);
                const int64_t left = x[(p + x.size() - 1) % x.size()];
                const size_t kb = size_t(left % t_.r);
                float* o = out.data() + (b * rows.size() + r) * v;
                for (size_t j = 0; j < v; ++j) {
                    const float ab = t_.a[p * v + j] + t_.b[kb * v + j];
                    o[j] = ab + t_.c[kc * v + j];
                }
            }
        }
    }

private:
    Tables t_;
    int32_t mask_id_;
    int64_t calls_ = 0;
};

// Writes a float32 C-order array as NumPy .npy version 1.0.
inline void write_npy(const std::string& path, const std::vector<float>& data, int64_t rows, int64_t cols) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) +
                         ", " + std::to_string(cols) + "), }";
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::ofstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot write " + path);
    f.write("\x93NUMPY\x01\x00", 8);
    const uint16_t len = uint16_t(header.size());
    f.put(char(len & 0xff));
    f.put(char(len >> 8));
    f << header;
    f.write(reinterpret_cast<const char*>(data.data()), std::streamsize(data.size() * sizeof(float)));
}

}  // namespace remask::testing
