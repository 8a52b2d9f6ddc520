// `remask infill` end to end on the fixture DLMs with real tokenizers: every slot filled, the
// text outside the slots byte-for-byte unchanged, one trace line per step taken.

#include <gtest/gtest.h>

#include <cstdlib>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unistd.h>
#include <algorithm>
#include <vector>
#include <string>

#include "background_process.h"
#include "run_command.h"

namespace remask::testing {
namespace {

class InfillCommand : public ::testing::TestWithParam<const char*> {};

TEST_P(InfillCommand, FillsEverySlotKeepsTheRestAndTracesEachStep) {
    char name[] = "/tmp/remask-trace-XXXXXX";
    int fd = mkstemp(name);
    close(fd);
    CommandResult r = run_remask({"infill", "--model", fixture_path(GetParam()), "--text",
                                  "Reviews: <mask:5> and then \\<b> stays <mask:3>.", "--steps", "4", "--seed", "2",
                                  "--candidates", "2", "--trace", name});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    std::string line;
    int candidates = 0;
    while (std::getline(lines, line)) {
        nlohmann::json c = nlohmann::json::parse(line);
        std::string text = c["text"];
        auto spans = c["spans"];
        ASSERT_EQ(spans.size(), 2u);
        size_t s0 = spans[0]["start"], e0 = spans[0]["end"], s1 = spans[1]["start"], e1 = spans[1]["end"];
        EXPECT_EQ(text.substr(0, s0), "Reviews: ");
        EXPECT_EQ(text.substr(e0, s1 - e0), " and then <b> stays ");
        EXPECT_EQ(text.substr(e1), ".");
        EXPECT_EQ(c["steps"], 4);
        ++candidates;
    }
    EXPECT_EQ(candidates, 2);
    std::ifstream trace(name);
    int steps = 0;
    while (std::getline(trace, line)) ++steps;
    EXPECT_EQ(steps, 4);
    std::remove(name);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, InfillCommand, ::testing::Values("dream-e2e", "llada-e2e"),
                         [](const auto& info) { return std::string(info.param) == "dream-e2e" ? "dream" : "llada"; });

TEST(InfillCommand, BadMarkupAndNonDiffusionModelsAreOneLineErrors) {
    for (auto args : std::vector<std::vector<std::string>>{
             {"infill", "--model", fixture_path("dream-e2e"), "--text", "a <mask:0> b"},
             {"infill", "--model", fixture_path("dream-e2e"), "--text", "a <mask:3 b"},
             {"infill", "--model", fixture_path("qwen2-e2e"), "--text", "a <mask:3> b"},
         }) {
        CommandResult r = run_remask(args);
        EXPECT_NE(r.exit_code, 0);
        EXPECT_EQ(r.err.rfind("remask: error: ", 0), 0u) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
}

// Was: the slots were allocated (slack x spans) before the context check, so a huge
// --slack asked for gigabytes first. Under a 4 GB address-space limit it must fail with
// the context error, not std::bad_alloc.
TEST(InfillCommand, HugeSlackIsAContextErrorBeforeAnyAllocation) {
    const char* bin = std::getenv("REMASK_BIN");
    ASSERT_NE(bin, nullptr);
    int code = 0;
    std::string err = run_shell("ulimit -v 4000000; '" + std::string(bin) + "' infill --model '" +
                                    fixture_path("dream-e2e") + "' --text 'a <mask:1> b <mask:1>' --slack 1000000000 2>&1",
                                &code);
    EXPECT_NE(code, 0);
    EXPECT_EQ(err.rfind("remask: error: text: ", 0), 0u) << err;
    EXPECT_NE(err.find("context"), std::string::npos) << err;
}

}  // namespace
}  // namespace remask::testing
