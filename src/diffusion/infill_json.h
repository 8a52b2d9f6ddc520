#pragma once
// JSON lines written by `remask infill` (INTERFACES.md) and its --trace file.

#include <cstdint>
#include <string>

#include "diffusion/denoise.h"
#include "diffusion/span_markup.h"

namespace remask {

// {"text": "...", "spans": [{"start": 14, "end": 31, "filled": "..."}], "steps": 32}
// One line, no trailing newline. Invalid UTF-8 from a decoder is replaced (U+FFFD).
std::string infill_json_line(const FilledText& filled, int64_t steps);

// {"step": 3, "candidates": [{"positions": [...], "tokens": [...], "confidences": [...]}]}
// One object per row of the batch, in batch order.
std::string trace_json_line(const StepTrace& step);

}  // namespace remask
