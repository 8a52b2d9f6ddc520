#pragma once
// report.html: one self-contained page per run directory, readable offline (inline CSS and
// SVG, no scripts, nothing fetched). Rebuilt from the run files alone, so
// `remask report DIR` works on any finished, interrupted or running run.
//
// Sections, each with a stable id for tests and scripts:
//   #chart       validation score (best so far) against target calls, one line per run
//                (per sweep value, or per proposer when the sweep was over proposers)
//   #comparison  a table of the runs (sweeps only)
//   #lineage     the tree of pooled candidates, with rejected children counted
//   #diffs       each accepted edit as a highlighted span diff against its parent
//   #examples    per validation example: initial vs best, wins and losses
//   #tau         τ-bench runs only: per-task reward, initial vs best, on validation and
//                test (wins, losses), pass^k when trials > 1, one episode that changed
//   #cost        calls, DLM forwards, tokens, money, wall time
//
//   std::string path = remask::report::write_report("runs/sst2-20260101-120000");

#include <string>

namespace remask::report {

// Writes DIR/report.html atomically and returns its path. A sweep folder (with
// sweep.json) gets a report comparing its runs, and each run gets its own. Throws
// UsageError when DIR is not a run directory.
std::string write_report(const std::string& run_dir);

// The HTML of DIR's report, without writing it.
std::string render_report(const std::string& run_dir);

}  // namespace remask::report
