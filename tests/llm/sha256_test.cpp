#include "llm/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>

namespace remask {
namespace {

TEST(Sha256, FipsVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Splitting the input anywhere gives the same digest as hashing it whole.
TEST(Sha256, ChunkedUpdatesMatchOneShot) {
    std::string text;
    for (int i = 0; i < 300; ++i) text.push_back(char('a' + (i * 7) % 26));
    for (size_t split : {0, 1, 55, 56, 63, 64, 65, 128, 200, 300}) {
        Sha256 hasher;
        hasher.update(std::string_view(text).substr(0, split));
        hasher.update(std::string_view(text).substr(split));
        auto digest = hasher.finish();
        std::string hex;
        char byte[3];
        for (uint8_t b : digest) {
            std::snprintf(byte, sizeof byte, "%02x", b);
            hex += byte;
        }
        EXPECT_EQ(hex, sha256_hex(text)) << "split at " << split;
    }
}

// Every length around the padding boundaries, against Python's hashlib.
TEST(Sha256, MatchesPythonHashlib) {
    std::string script =
        std::string(REMASK_PYTHON) +
        " -c \"import hashlib\nfor n in range(0, 140): "
        "print(hashlib.sha256(bytes((i * 31 + 7) % 256 for i in range(n))).hexdigest())\"";
    FILE* pipe = popen(script.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    char line[128];
    int n = 0;
    while (std::fgets(line, sizeof line, pipe)) {
        std::string expected(line);
        expected.erase(expected.find_last_not_of("\n") + 1);
        std::string input;
        for (int i = 0; i < n; ++i) input.push_back(char((i * 31 + 7) % 256));
        EXPECT_EQ(sha256_hex(input), expected) << "length " << n;
        ++n;
    }
    pclose(pipe);
    EXPECT_EQ(n, 140);
}

}  // namespace
}  // namespace remask
