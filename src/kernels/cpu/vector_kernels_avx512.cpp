// Row kernels for AVX-512 (F/BW/VL/DQ); src/kernels/CMakeLists.txt adds the flags for this
// file only, and vector_kernels_for() calls it only when the CPU has them.
#include "kernels/cpu/vector_kernels.h"

namespace remask::avx512_kernels {
constexpr Isa kIsa = Isa::avx512;
#include "kernels/cpu/vector_kernels_impl.inc"
}  // namespace remask::avx512_kernels
