#pragma once
// Which x86 vector instructions the engine's own kernels and oneDNN may use.
//
// The binary is built for x86-64 with AVX2/FMA; AVX-512 kernels are compiled into their own
// file and picked at run time. REMASK_MAX_ISA=avx2 caps both our kernels and oneDNN's
// (to check the AVX2 path on an AVX-512 machine, or to compare speed).

#include <string>

namespace remask {

enum class Isa { avx2, avx512, avx512_bf16 };

std::string isa_name(Isa isa);  // "avx2", "avx512", "avx512_bf16"

// What this CPU supports (ignores REMASK_MAX_ISA).
Isa detected_isa();
// detected_isa() capped by REMASK_MAX_ISA; applied to oneDNN the first time it is called.
Isa active_isa();
// Whether int8 products may use VNNI's u8·s8 dot product (AVX-512 VNNI under the cap).
bool has_int8_dot_product();

}  // namespace remask
