#include "kernels/cpu/stacked_parts.h"

#include <algorithm>

#include "core/pages.h"

namespace remask {

const void* stacked_row(const std::vector<Weight>& parts, int64_t row) {
    for (const Weight& w : parts) {
        if (row < w.rows) return static_cast<const uint8_t*>(w.data) + row * w.row_bytes();
        row -= w.rows;
    }
    return nullptr;
}

void release_stacked_rows(const std::vector<Weight>& parts, int64_t begin, int64_t end) {
    int64_t first = 0;
    for (const Weight& w : parts) {
        const int64_t lo = std::max(begin, first), hi = std::min(end, first + w.rows);
        if (lo < hi)
            release_pages(static_cast<const uint8_t*>(w.data) + (lo - first) * w.row_bytes(), (hi - lo) * w.row_bytes());
        first += w.rows;
    }
}

}  // namespace remask
