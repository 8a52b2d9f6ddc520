#pragma once
// Arrays on 64-byte boundaries (a cache line, one AVX-512 register), for packed weights the
// kernels load with aligned instructions.
//
//   AlignedArray<uint16_t> panels = make_aligned_array<uint16_t>(count);

#include <cstdlib>
#include <memory>
#include <new>

namespace remask {

struct AlignedFree {
    void operator()(void* p) const { std::free(p); }
};
template <typename T>
using AlignedArray = std::unique_ptr<T[], AlignedFree>;

template <typename T>
AlignedArray<T> make_aligned_array(size_t count) {
    const size_t bytes = (count * sizeof(T) + 63) / 64 * 64;
    T* p = static_cast<T*>(std::aligned_alloc(64, bytes > 0 ? bytes : 64));
    if (!p) throw std::bad_alloc();
    return AlignedArray<T>(p);
}

}  // namespace remask
