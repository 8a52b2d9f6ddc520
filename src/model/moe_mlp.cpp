#include "model/moe_mlp.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/vector_kernels.h"

namespace remask {
namespace {

template <typename T>
T* grown(std::vector<T>& buffer, int64_t n) {
    if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
    return buffer.data();
}

// One row: softmax over `experts` logits (float64), then the top_k by a stable sort.
void route_row(const float* logits, int64_t experts, int64_t top_k, bool normalize, ExpertChoice* out) {
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
    for (int64_t j = 0; j < top_k; ++j) out[j] = {order[j], static_cast<float>(p[order[j]] * scale)};
}

}  // namespace

void route_experts(const float* router_logits, int64_t rows, int64_t experts, int64_t top_k, bool normalize,
                   ExpertChoice* out) {
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r)
        route_row(router_logits + r * experts, experts, top_k, normalize, out + r * top_k);
}

MoeMlp MoeMlp::pack(const LayerWeights& w, const ModelConfig& c, ComputeType type, bool release_source) {
    MoeMlp moe;
    moe.experts_ = c.num_experts;
    moe.top_k_ = c.experts_per_token;
    moe.ffn_ = c.ffn_size;
    moe.hidden_ = c.hidden_size;
    moe.normalize_ = c.normalize_expert_weights;
    moe.router_ = PackedLinear::pack({w.router}, {}, ComputeType::f32, release_source);
    for (int64_t e = 0; e < c.num_experts; ++e) {
        moe.gate_up_.push_back(PackedLinear::pack({w.expert_gate[e], w.expert_up[e]}, {}, type, release_source));
        moe.down_.push_back(PackedLinear::pack({w.expert_down[e]}, {}, type, release_source));
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
    float* logits = grown(s.logits, rows * experts_);
    router_.apply(h, rows, logits);
    ExpertChoice* choices = grown(s.choices, slots);
    route_experts(logits, rows, experts_, k, normalize_, choices);

    // Counting sort of the (row, k) slots by expert: each expert's rows become one block.
    s.rows_per_expert.assign(experts_, 0);
    for (int64_t i = 0; i < slots; ++i) ++s.rows_per_expert[choices[i].expert];
    std::vector<int64_t> begin(experts_ + 1, 0);
    for (int64_t e = 0; e < experts_; ++e) begin[e + 1] = begin[e] + s.rows_per_expert[e];
    std::vector<int64_t> next(begin.begin(), begin.end() - 1);
    int64_t* slot_of = grown(s.slot_of, slots);
    std::vector<int64_t> row_of(slots);
    for (int64_t i = 0; i < slots; ++i) {
        const int64_t at = next[choices[i].expert]++;
        slot_of[i] = at;
        row_of[at] = i / k;
    }

    float* gathered = grown(s.gathered, slots * d);
    float* gate_up = grown(s.gate_up, slots * 2 * f);
    float* act = grown(s.act, slots * f);
    float* out = grown(s.out, slots * d);
#pragma omp parallel for schedule(static)
    for (int64_t at = 0; at < slots; ++at) std::copy(h + row_of[at] * d, h + (row_of[at] + 1) * d, gathered + at * d);

    const VectorKernels& kernels = vector_kernels();
    for (int64_t e = 0; e < experts_; ++e) {
        const int64_t n = s.rows_per_expert[e], at = begin[e];
        if (n == 0) continue;
        gate_up_[e].apply(gathered + at * d, n, gate_up + at * 2 * f);
#pragma omp parallel for schedule(static)
        for (int64_t i = at; i < at + n; ++i)
            kernels.silu_mul(gate_up + i * 2 * f, gate_up + i * 2 * f + f, f, act + i * f);
        down_[e].apply(act + at * f, n, out + at * d);
    }

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

void moe_mlp_reference(const Weight& router, const std::vector<Weight>& gate, const std::vector<Weight>& up,
                       const std::vector<Weight>& down, int64_t top_k, bool normalize, const float* h,
                       int64_t rows, float* x) {
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
