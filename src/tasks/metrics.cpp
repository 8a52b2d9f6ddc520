#include "tasks/metrics.h"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "tasks/sampling.h"

namespace remask {
namespace {

double percentile(const std::vector<double>& sorted, double q) {
    const double position = q * static_cast<double>(sorted.size() - 1);
    const size_t below = static_cast<size_t>(std::floor(position));
    const size_t above = std::min(below + 1, sorted.size() - 1);
    const double fraction = position - static_cast<double>(below);
    return sorted[below] + (sorted[above] - sorted[below]) * fraction;
}

std::vector<size_t> all_indices(size_t n) {
    std::vector<size_t> indices(n);
    for (size_t i = 0; i < n; ++i) indices[i] = i;
    return indices;
}

}  // namespace

Interval wilson_interval(size_t successes, size_t n, double z) {
    assert(n > 0 && successes <= n && "wilson_interval needs 0 <= successes <= n, n > 0");
    const double nn = static_cast<double>(n);
    const double p = static_cast<double>(successes) / nn;
    const double z2 = z * z;
    const double denominator = 1.0 + z2 / nn;
    const double center = (p + z2 / (2.0 * nn)) / denominator;
    const double half = z / denominator * std::sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

Interval bootstrap_interval(size_t n, const std::function<double(const std::vector<size_t>&)>& statistic,
                            uint64_t seed, size_t resamples) {
    assert(n > 0 && resamples > 1);
    SplitMix64 rng(seed);
    std::vector<double> values;
    values.reserve(resamples);
    std::vector<size_t> indices(n);
    for (size_t r = 0; r < resamples; ++r) {
        for (auto& index : indices) index = static_cast<size_t>(rng.below(n));
        values.push_back(statistic(indices));
    }
    std::sort(values.begin(), values.end());
    return {percentile(values, 0.025), percentile(values, 0.975)};
}

ConfusionMatrix confusion_matrix(const std::vector<EvalRow>& rows, const std::vector<size_t>& indices,
                                 const std::vector<std::string>& labels) {
    ConfusionMatrix m;
    m.labels = labels;
    m.counts.assign(labels.size(), std::vector<size_t>(labels.size() + 1, 0));
    auto index_of = [&](const std::string& label) {
        return static_cast<size_t>(std::find(labels.begin(), labels.end(), label) - labels.begin());
    };
    for (size_t i : indices) {
        const EvalRow& row = rows[i];
        const size_t expected = index_of(row.expected);
        assert(expected < labels.size() && "an expected label outside the task's labels");
        const size_t predicted = row.parse_failed ? labels.size() : index_of(row.parsed);
        assert(predicted <= labels.size());
        m.counts[expected][predicted] += 1;
    }
    return m;
}

double macro_f1(const ConfusionMatrix& matrix) {
    const size_t k = matrix.labels.size();
    double sum = 0.0;
    size_t counted = 0;
    for (size_t label = 0; label < k; ++label) {
        size_t tp = matrix.counts[label][label], fp = 0, fn = 0;
        for (size_t other = 0; other <= k; ++other)
            if (other != label) fn += matrix.counts[label][other];
        for (size_t other = 0; other < k; ++other)
            if (other != label) fp += matrix.counts[other][label];
        if (tp + fp + fn == 0) continue;
        sum += 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
        ++counted;
    }
    return counted == 0 ? 0.0 : sum / static_cast<double>(counted);
}

Metrics compute_metrics(const std::vector<EvalRow>& rows, const std::vector<std::string>& labels,
                        uint64_t seed) {
    assert(!rows.empty() && "compute_metrics needs rows");
    Metrics m;
    m.n = rows.size();
    double total = 0.0;
    size_t ones = 0;
    m.mean_is_proportion = true;
    for (const auto& row : rows) {
        total += row.score;
        if (row.score == 1.0) ++ones;
        else if (row.score != 0.0) m.mean_is_proportion = false;
        if (row.parse_failed) ++m.parse_failures;
    }
    m.mean = total / static_cast<double>(m.n);
    if (m.mean_is_proportion) {
        m.mean_ci = wilson_interval(ones, m.n);
    } else {
        m.mean_ci = bootstrap_interval(m.n, [&](const std::vector<size_t>& sample) {
            double s = 0.0;
            for (size_t i : sample) s += rows[i].score;
            return s / static_cast<double>(sample.size());
        }, seed);
    }
    m.parse_failure_rate = static_cast<double>(m.parse_failures) / static_cast<double>(m.n);
    m.parse_failure_ci = wilson_interval(m.parse_failures, m.n);
    if (labels.empty()) return m;

    m.classification = true;
    size_t correct = 0;
    for (const auto& row : rows)
        if (!row.parse_failed && row.parsed == row.expected) ++correct;
    m.accuracy = static_cast<double>(correct) / static_cast<double>(m.n);
    m.accuracy_ci = wilson_interval(correct, m.n);
    m.confusion = confusion_matrix(rows, all_indices(m.n), labels);
    m.macro_f1 = macro_f1(m.confusion);
    m.macro_f1_ci = bootstrap_interval(m.n, [&](const std::vector<size_t>& sample) {
        return macro_f1(confusion_matrix(rows, sample, labels));
    }, seed ^ 0x5f1ULL);
    return m;
}

}  // namespace remask
