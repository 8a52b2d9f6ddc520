#pragma once
// `compute = "auto"`: which type the matrix products of a bf16 checkpoint run fastest in
// on this machine, f32 or bf16, measured rather than read from CPU flags (oneDNN's bf16
// kernels are twice f32 on some AVX-512 BF16 CPUs and half of it on others).
//
//   ComputeCalibration c = calibrated_compute(config);   // c.choice, c.f32_ms, c.bf16_ms
//
// The probe times one layer's products (q|k|v, o, gate|up, down) at the model's widths
// with random weights, at 256 rows (a dual-cache step: K = 4 candidates x 64 slots) and
// at 1,024 rows (a full forward's chunk), best of 3 after a warm-up, and picks the type
// with the smaller total. Results are kept in the calibration file, keyed by the CPU's
// identity, the ISA cap, the thread count, the oneDNN version and the shapes, so the
// probe runs once per machine and model shape.

#include <string>

#include "kernels/cpu/linear.h"
#include "model/model_config.h"

namespace remask {

struct ComputeCalibration {
    ComputeType choice = ComputeType::f32;
    double f32_ms = 0.0;   // the probe's total time in f32
    double bf16_ms = 0.0;  // and in bf16
    double f32_gflops = 0.0, bf16_gflops = 0.0;
    std::string key;          // what the entry is keyed by (CPU, ISA, threads, oneDNN, shapes)
    bool from_file = false;   // read from the calibration file, not measured now
    bool measured = false;    // false: no probe (one candidate only, e.g. no native bf16)
};

// $REMASK_CALIBRATION_FILE, else $XDG_CACHE_HOME/remask/compute.json, else
// ~/.cache/remask/compute.json.
std::string calibration_file();

// The calibration for this config's shapes on this machine: from the file when present,
// else measured now and stored (a file that cannot be written only costs a re-probe).
ComputeCalibration calibrated_compute(const ModelConfig& config);

// Measures without reading or writing the file.
ComputeCalibration measure_compute(const ModelConfig& config);

}  // namespace remask
