#pragma once
// SHA-256 (FIPS 180-4) of a byte string, as lower-case hex. Used for upstream's data hash
// and for short prompt fingerprints; not for anything secret.

#include <string>
#include <string_view>

namespace remask::tau {

std::string sha256_hex(std::string_view bytes);

}  // namespace remask::tau
