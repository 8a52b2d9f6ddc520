#pragma once
// Metrics over evaluated rows, each mean with a 95% interval:
//   - proportions (accuracy, parse-failure rate, a mean of 0/1 scores): Wilson score interval;
//   - anything else (a mean of fractional scores, macro-F1): percentile bootstrap with a
//     seeded resampler (2,000 resamples; percentiles by linear interpolation, as numpy's
//     default), so the same rows and seed give the same interval everywhere.
// Macro-F1 averages, over the task's labels, F1 = 2·TP / (2·TP + FP + FN); a parse failure
// is a wrong prediction (a false negative of the expected label, nobody's false positive);
// a label that is neither expected nor predicted in the rows is left out of the average
// (its F1 is undefined).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tasks/eval_row.h"

namespace remask {

struct Interval {
    double lo = 0.0;
    double hi = 0.0;
};

constexpr double kZ95 = 1.959963984540054;

// Wilson score interval for `successes` of `n` (n > 0), clamped to [0, 1].
Interval wilson_interval(size_t successes, size_t n, double z = kZ95);

// Percentile bootstrap of statistic(indices) over resamples of 0..n-1 with replacement.
Interval bootstrap_interval(size_t n, const std::function<double(const std::vector<size_t>&)>& statistic,
                            uint64_t seed, size_t resamples = 2000);

// counts[e][p]: rows expecting label e whose reply parsed as label p; column labels.size()
// holds the parse failures.
struct ConfusionMatrix {
    std::vector<std::string> labels;
    std::vector<std::vector<size_t>> counts;
};

// Rows whose `expected` is not among labels are an internal error (asserted).
ConfusionMatrix confusion_matrix(const std::vector<EvalRow>& rows, const std::vector<size_t>& indices,
                                 const std::vector<std::string>& labels);
double macro_f1(const ConfusionMatrix& matrix);

struct Metrics {
    size_t n = 0;
    double mean = 0.0;  // mean score
    Interval mean_ci;
    bool mean_is_proportion = false;  // every score was 0 or 1 (Wilson), else bootstrap

    bool classification = false;  // the fields below are set only for classification
    double accuracy = 0.0;
    Interval accuracy_ci;
    double macro_f1 = 0.0;
    Interval macro_f1_ci;
    size_t parse_failures = 0;  // counted for every task
    double parse_failure_rate = 0.0;
    Interval parse_failure_ci;
    ConfusionMatrix confusion;
};

// labels: the task's labels (empty for a task that is not classification). rows not empty.
Metrics compute_metrics(const std::vector<EvalRow>& rows, const std::vector<std::string>& labels,
                        uint64_t seed);

}  // namespace remask
