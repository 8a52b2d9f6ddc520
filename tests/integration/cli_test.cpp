// The command-line contract of INTERFACES.md: exit codes, one-line errors, --help, --version.

#include <gtest/gtest.h>

#include <algorithm>

#include "run_command.h"

namespace remask::testing {
namespace {

size_t count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(Cli, VersionPrintsToStdout) {
    CommandResult r = run_remask({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.rfind("remask ", 0), 0u) << r.out;
}

TEST(Cli, HelpListsUsageAndExitsZero) {
    CommandResult r = run_remask({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << r.out;
}

TEST(Cli, NoSubcommandIsAUsageError) {
    CommandResult r = run_remask({});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("remask: error: ", 0), 0u) << r.err;
}

TEST(Cli, UnknownSubcommandIsAUsageError) {
    CommandResult r = run_remask({"frobnicate"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace remask::testing
