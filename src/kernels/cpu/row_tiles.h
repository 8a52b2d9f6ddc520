#pragma once
// Register tiles of input rows with a compile-time row count: the kernels keep one
// accumulator per tile row in registers, so the leftover rows (fewer than a tile) get an
// instantiation of their own size instead of a padded tile.
//
//   for_each_row_tile<12>(m, [&](auto rows, int64_t first) { tile<decltype(rows)::value>(x + first * k, ...); });

#include <cstdint>
#include <type_traits>

namespace remask {

template <int kRows, typename Run>
void run_leftover_rows(int64_t rows, int64_t first, Run& run) {
    if constexpr (kRows > 0) {
        if (rows == kRows) return run(std::integral_constant<int, kRows>{}, first);
        run_leftover_rows<kRows - 1>(rows, first, run);
    }
}

// run(rows, first) for rows [first, first + rows) of [0, m): whole tiles of kTile rows,
// then the leftover once; `rows` is a std::integral_constant.
template <int kTile, typename Run>
void for_each_row_tile(int64_t m, Run&& run) {
    int64_t first = 0;
    for (; first + kTile <= m; first += kTile) run(std::integral_constant<int, kTile>{}, first);
    if (first < m) run_leftover_rows<kTile - 1>(m - first, first, run);
}

}  // namespace remask
