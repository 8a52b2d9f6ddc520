#pragma once
// One evaluated example: the row `remask eval --out` writes (INTERFACES.md) and what the
// metrics are computed from.

#include <cstdint>
#include <string>

namespace remask {

struct EvalRow {
    std::string id;
    std::string input;
    std::string expected;
    std::string reply;
    std::string parsed;         // what the metric read; meaningless when parse_failed
    bool parse_failed = false;  // written as "parsed": null
    double score = 0.0;
    std::string feedback;
    int64_t tokens_in = 0;   // of every call for this example, cached or not
    int64_t tokens_out = 0;
    bool cached = false;     // every target call of this example came from the cache
};

}  // namespace remask
