#pragma once
// SHA-256 (FIPS 180-4), for cache keys: a request's canonical JSON → 64 lowercase hex digits.
// Written here (no crypto dependency); checked against the FIPS test vectors and Python's
// hashlib in tests/llm/sha256_test.cpp.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace remask {

class Sha256 {
public:
    Sha256();
    void update(std::string_view data);
    std::array<uint8_t, 32> finish();  // the object must not be updated afterwards

private:
    void compress(const uint8_t* block);  // block: 64 bytes

    std::array<uint32_t, 8> state_;
    std::array<uint8_t, 64> buffer_{};
    size_t buffered_ = 0;
    uint64_t total_bytes_ = 0;
};

std::string sha256_hex(std::string_view data);

}  // namespace remask
