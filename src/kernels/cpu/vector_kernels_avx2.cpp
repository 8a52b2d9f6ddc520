// Row kernels for AVX2/FMA (the build's baseline flags).
#include "kernels/cpu/vector_kernels.h"

namespace remask::avx2_kernels {
constexpr Isa kIsa = Isa::avx2;
#include "kernels/cpu/vector_kernels_impl.inc"
}  // namespace remask::avx2_kernels
