#include "kernels/cpu/cpu_features.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "core/error.h"

namespace remask {

std::string isa_name(Isa isa) {
    switch (isa) {
        case Isa::avx2: return "avx2";
        case Isa::avx512: return "avx512";
        case Isa::avx512_bf16: return "avx512_bf16";
    }
    return "?";
}

Isa detected_isa() {
    __builtin_cpu_init();
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
    if (!avx512) return Isa::avx2;
    return __builtin_cpu_supports("avx512bf16") ? Isa::avx512_bf16 : Isa::avx512;
}

namespace {

Isa capped_isa() {
    Isa isa = detected_isa();
    const char* cap = std::getenv("REMASK_MAX_ISA");
    if (!cap || !*cap) return isa;
    const std::string name = cap;
    Isa limit;
    if (name == "avx2") limit = Isa::avx2;
    else if (name == "avx512") limit = Isa::avx512;
    else if (name == "avx512_bf16") limit = Isa::avx512_bf16;
    else throw InputError("REMASK_MAX_ISA", "'" + name + "' is not one of avx2, avx512, avx512_bf16");
    return std::min(isa, limit);
}

}  // namespace

Isa active_isa() {
    static const Isa isa = [] {
        const Isa chosen = capped_isa();
        // Must happen before oneDNN creates its first primitive.
        dnnl::set_max_cpu_isa(chosen == Isa::avx2         ? dnnl::cpu_isa::avx2
                              : chosen == Isa::avx512     ? dnnl::cpu_isa::avx512_core_vnni
                                                          : dnnl::cpu_isa::all);
        return chosen;
    }();
    return isa;
}

bool has_int8_dot_product() {
    static const bool vnni = active_isa() != Isa::avx2 && __builtin_cpu_supports("avx512vnni");
    return vnni;
}

}  // namespace remask
