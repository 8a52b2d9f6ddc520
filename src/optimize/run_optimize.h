#pragma once
// `remask optimize` without the command line: settings → validation → projection →
// confirmation → run directory → loop (or one loop per --sweep value) → summary.
// Nothing is written before every input (config, prompt, feedback file, sweep values) has
// been checked, so bad input never leaves a broken run directory behind.
//
//   OptimizeOptions o; o.config_path = "examples/sst2.toml"; o.yes = true;
//   OptimizeIo io{&std::cin, &std::cout, &std::cerr};
//   std::string dir = run_optimize_command(o, default_wiring(), io);

#include <atomic>
#include <iosfwd>
#include <string>

#include "optimize/optimizer.h"
#include "optimize/wiring.h"

namespace remask::optimize {

struct OptimizeOptions {
    std::string config_path;  // CONFIG.toml ("" allowed with resume_dir)
    std::string resume_dir;   // --resume DIR
    bool force = false;       // --force: resume with a config that differs from the stored one
    std::string run_dir;      // --run-dir DIR (else [run] dir with {task} {time} {proposer} {seed})
    std::string sweep;        // --sweep KEY=V1,V2,...
    std::string shard;        // --shard I/N: only this shard's sub-runs (needs --sweep, --run-dir)
    bool dry_run = false;     // print the projection and exit
    bool yes = false;         // start without asking
    bool review = false;      // --review
    std::string feedback_path;  // --feedback FILE
    bool json = false;          // summary.json lines on stdout instead of text
};

struct OptimizeIo {
    std::istream* in = nullptr;   // confirmation and --review answers
    std::ostream* out = nullptr;  // results only
    std::ostream* err = nullptr;  // projection, questions, review display
    OptimizerHooks hooks;         // Ctrl-C flag, progress, test hooks
    LiveReviewFactory live_review;  // --review-web PORT: the page for each run directory
};

// Returns the run directory (the sweep's top folder for a sweep; "" after --dry-run).
// Throws UsageError / InputError for bad input, Interrupted after Ctrl-C.
std::string run_optimize_command(const OptimizeOptions& options, const Wiring& wiring,
                                 OptimizeIo& io);

// "{task}-{time}" and friends: {task}, {proposer}, {seed}, {time} (UTC, YYYYmmdd-HHMMSS).
std::string expand_run_dir(const std::string& pattern, const Settings& settings);

}  // namespace remask::optimize
