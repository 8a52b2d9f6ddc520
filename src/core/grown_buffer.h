#pragma once
// A scratch vector grown (never shrunk) to hold n elements, reused across calls.

#include <cstdint>
#include <vector>

namespace remask {

template <typename T>
T* grown_buffer(std::vector<T>& buffer, int64_t n) {
    if (static_cast<int64_t>(buffer.size()) < n) buffer.resize(n);
    return buffer.data();
}

}  // namespace remask
