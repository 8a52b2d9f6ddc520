#include "model/moe_mlp.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/grown_buffer.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/vector_kernels.h"

namespace remask {
namespace {

// One row: softmax over `experts` logits (float64), then the top_k by a stable sort.
void route_row(const float* logits, int64_t experts, int64_t top_k, bool normalize,
               ExpertChoice* out) {
    std::vector<double> p(experts);
    const double top = *std::max_element(logits, logits + experts);
    double sum = 0;
    for (int64_t e = 0; e < experts; ++e) sum += p[e] = std::exp(double(logits[e]) - top);
    std::vector<int32_t> order(experts);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return p[a] > p[b]; });
    double chosen = 0;
    for (int64_t j = 0; j < top_k; ++j) chosen += p[order[j]];
    const double scale = normalize ? 1.0 / chosen : 1.0 / sum;
    for (int64_t j = 0; j < top_k; ++j)
        out[j] = {order[j], static_cast<float>(p[order[j]] * scale)};
}

// An expert's row count rounded up to one of a few sizes (multiples of 8 up to 64, then
// four steps per octave: at most 25% more rows): PackedLinear keeps one oneDNN primitive
// per row count, and a fresh count every call would build a new primitive each time.
int64_t padded_rows(int64_t n) {
    if (n <= 64) return (n + 7) / 8 * 8;
    int64_t octave = 64;
    while (octave * 2 <= n) octave *= 2;
    const int64_t step = octave / 4;
    return (n + step - 1) / step * step;
}

}  // namespace

void route_experts(const float* router_logits, int64_t rows, int64_t experts, int64_t top_k,
                   bool normalize, ExpertChoice* out) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r)
        route_row(router_logits + r * experts, experts, top_k, normalize, out + r * top_k);
}

MoeMlp MoeMlp::pack(const LayerWeights& w, const ModelConfig& c, ComputeType type,
                    bool release_source, const MatrixPacker& pack_expert_matrix) {
    auto pack_expert = [&](const std::vector<Weight>& parts) {
        return pack_expert_matrix ? pack_expert_matrix(parts) : PackedLinear::pack(parts, {}, type, release_source);
    };
    MoeMlp moe;
    moe.experts_ = c.num_experts;
    moe.top_k_ = c.experts_per_token;
    moe.ffn_ = c.ffn_size;
    moe.hidden_ = c.hidden_size;
    moe.normalize_ = c.normalize_expert_weights;
    moe.router_ = PackedLinear::pack({w.router}, {}, ComputeType::f32, release_source);
    for (int64_t e = 0; e < c.num_experts; ++e) {
        moe.gate_up_.push_back(pack_expert({w.expert_gate[e], w.expert_up[e]}));
        moe.down_.push_back(pack_expert({w.expert_down[e]}));
    }
    return moe;
}

int64_t MoeMlp::bytes() const {
    int64_t total = router_.empty() ? 0 : router_.bytes();
    for (const auto& p : gate_up_) total += p.bytes();
    for (const auto& p : down_) total += p.bytes();
    return total;
}

void MoeMlp::apply(const float* h, int64_t rows, float* x, MoeScratch& s) const {
    const int64_t d = hidden_, f = ffn_, k = top_k_, slots = rows * k;
    float* logits = grown_buffer(s.logits, rows * experts_);
    router_.apply(h, rows, logits);
    ExpertChoice* choices = grown_buffer(s.choices, slots);
    route_experts(logits, rows, experts_, k, normalize_, choices);

    // Counting sort of the (row, k) slots by expert: each expert's rows become one block,
    // padded with zero rows to a size whose primitive is cached.
    s.rows_per_expert.assign(experts_, 0);
    for (int64_t i = 0; i < slots; ++i) ++s.rows_per_expert[choices[i].expert];
    std::vector<int64_t> begin(experts_ + 1, 0);
    for (int64_t e = 0; e < experts_; ++e)
        begin[e + 1] = begin[e] + padded_rows(s.rows_per_expert[e]);
    const int64_t blocks = begin[experts_];
    std::vector<int64_t> next(begin.begin(), begin.end() - 1);
    int64_t* slot_of = grown_buffer(s.slot_of, slots);
    std::vector<int64_t> row_of(blocks, -1);
    for (int64_t i = 0; i < slots; ++i) {
        const int64_t at = next[choices[i].expert]++;
        slot_of[i] = at;
        row_of[at] = i / k;
    }

    float* gathered = grown_buffer(s.gathered, blocks * d);
    float* gate_up = grown_buffer(s.gate_up, blocks * 2 * f);
    float* act = grown_buffer(s.act, blocks * f);
    float* out = grown_buffer(s.out, blocks * d);
#pragma omp parallel for schedule(static)
    for (int64_t at = 0; at < blocks; ++at) {
        if (row_of[at] >= 0)
            std::copy(h + row_of[at] * d, h + (row_of[at] + 1) * d, gathered + at * d);
        else
            std::fill(gathered + at * d, gathered + (at + 1) * d, 0.0f);
    }

    // All gate|up products, one gating pass over every block (one parallel region, not one
    // per expert: with 64 experts the regions' start-up shows), then all down products.
    const VectorKernels& kernels = vector_kernels();
    for (int64_t e = 0; e < experts_; ++e)
        if (begin[e + 1] > begin[e])
            gate_up_[e].apply(gathered + begin[e] * d, begin[e + 1] - begin[e],
                              gate_up + begin[e] * 2 * f);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < blocks; ++i)
        kernels.silu_mul(gate_up + i * 2 * f, gate_up + i * 2 * f + f, f, act + i * f);
    for (int64_t e = 0; e < experts_; ++e)
        if (begin[e + 1] > begin[e])
            down_[e].apply(act + begin[e] * f, begin[e + 1] - begin[e], out + begin[e] * d);

            // Scatter back: each row adds its k expert outputs in rank order.
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        float* xr = x + r * d;
        for (int64_t j = 0; j < k; ++j) {
            const float weight = choices[r * k + j].weight;
            const float* o = out + slot_of[r * k + j] * d;
            for (int64_t i = 0; i < d; ++i) xr[i] += weight * o[i];
        }
    }
}

void moe_mlp_reference(const Weight& router, const std::vector<Weight>& gate,
                       const std::vector<Weight>& up, const std::vector<Weight>& down,
                       int64_t top_k, bool normalize, const float* h, int64_t rows, float* x) {
    const int64_t experts = router.rows, d = router.cols;
    std::vector<float> logits(experts);
    std::vector<ExpertChoice> chosen(top_k);
    for (int64_t r = 0; r < rows; ++r) {
        const float* hr = h + r * d;
        matmul_nt_reference(hr, 1, router, logits.data());
        route_experts(logits.data(), 1, experts, top_k, normalize, chosen.data());
        for (const ExpertChoice& c : chosen) {
            const int64_t f = gate[c.expert].rows;
            std::vector<float> g(f), u(f), y(d);
            matmul_nt_reference(hr, 1, gate[c.expert], g.data());
            matmul_nt_reference(hr, 1, up[c.expert], u.data());
            for (int64_t i = 0; i < f; ++i) g[i] = g[i] / (1.0f + std::exp(-g[i])) * u[i];
            matmul_nt_reference(g.data(), 1, down[c.expert], y.data());
            for (int64_t i = 0; i < d; ++i) x[r * d + i] += c.weight * y[i];
        }
    }
}

}  // namespace remask
