#pragma once
// Weight parts stacked along their rows (q|k|v, gate|up) as one matrix: where a stacked row
// lies, and dropping the file pages of stacked rows once a packed copy holds them.

#include <cstdint>
#include <vector>

#include "kernels/cpu/dtype.h"

namespace remask {

// The first byte of stacked row `row`, or null past the last part.
const void* stacked_row(const std::vector<Weight>& parts, int64_t row);

// Drops the pages of stacked rows [begin, end) (release_pages: read-only file mappings, or
// copies nobody reads again).
void release_stacked_rows(const std::vector<Weight>& parts, int64_t begin, int64_t end);

}  // namespace remask
