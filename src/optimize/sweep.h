#pragma once
// --sweep KEY=V1,V2,...: one run per value of a [dlm] or [optimizer] key, each with the
// same budget, in sub-directories of the run directory, compared in one report.
//
//   SweepSpec spec = parse_sweep("steps=8,16,32");        // key "steps" is in [dlm]
//   Settings s16 = apply_sweep_value(base, spec, "16");     // validated like the file

#include <string>
#include <vector>

#include "core/settings.h"

namespace remask::optimize {

struct SweepSpec {
    std::string table;  // "dlm" | "optimizer"
    std::string key;
    std::vector<std::string> values;  // TOML values as written: 16, 0.5, "pareto" or pareto
};

// KEY may be "steps" or "dlm.steps"; a bare key is looked up in [dlm], then [optimizer].
// Throws UsageError for a malformed argument or an unknown key.
SweepSpec parse_sweep(const std::string& argument);

// The settings with that one key replaced; throws InputError like the config file would.
Settings apply_sweep_value(const Settings& base, const SweepSpec& spec, const std::string& value);

// --shard I/N: this process runs the sweep's sub-runs k (0-based, in --sweep order) with
// k % N == I - 1, so N processes (a Slurm array, a Kubernetes indexed Job) share the sweep.
struct ShardSpec {
    int64_t index = 1;  // 1-based
    int64_t count = 1;
    bool owns(size_t value_index) const { return int64_t(value_index) % count == index - 1; }
};

// "2/4" → {2, 4}; throws UsageError unless 1 <= I <= N.
ShardSpec parse_shard(const std::string& argument);

// The sub-directory of one value: "steps=16" (characters unsafe in a file name become '_').
std::string sweep_run_name(const SweepSpec& spec, const std::string& value);

}  // namespace remask::optimize
