#pragma once
// Giving memory-mapped file pages back to the kernel.

#include <cstdint>

namespace remask {

// Drops the resident pages wholly inside [data, data + bytes) of a read-only file mapping
// (a packed copy has replaced them); touching them again reads the file again. Never call
// it on heap memory: private anonymous pages would read back as zeros.
void release_pages(const void* data, int64_t bytes);

}  // namespace remask
