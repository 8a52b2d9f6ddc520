// parse_json_limited reports every malformed document as json::parse_error, so callers
// that turn it into one clear line (HTTP 400, InputError) see nothing else.
#include "core/json_limits.h"

#include <gtest/gtest.h>

namespace remask {
namespace {

// Found by fuzz/infill_request_fuzz.cpp: 1e309 threw json::out_of_range past the server's
// handler, which catches parse_error.
TEST(JsonLimits, NumberTooLargeForADoubleIsAParseError) {
    for (const char* text : {"1e309", "[2e308]", "{\"steps\": -1e400}"})
        EXPECT_THROW(parse_json_limited(text, {64, 65536}), nlohmann::json::parse_error) << text;
    EXPECT_EQ(parse_json_limited("[1e308]")[0].get<double>(), 1e308);
}

TEST(JsonLimits, DepthAndValueCountAreBounded) {
    EXPECT_THROW(parse_json_limited(std::string(100, '[') + std::string(100, ']'), {64, 0}), JsonLimitError);
    EXPECT_THROW(parse_json_limited("[1,2,3,4]", {8, 3}), JsonLimitError);
    EXPECT_NO_THROW(parse_json_limited("[1,2]", {8, 3}));
}

}  // namespace
}  // namespace remask
