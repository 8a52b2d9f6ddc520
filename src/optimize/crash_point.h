#pragma once
// Test-only crash points: with REMASK_TEST_CRASH_AT=<name>:<n> in the environment, the n-th
// call of crash_point(<name>) kills the process with SIGKILL, so tests can stop a run at an
// exact place between the journal write and the checkpoint rename. Without the variable a
// call costs one comparison.

#include <string>

namespace remask::optimize {

void crash_point(const std::string& name);

}  // namespace remask::optimize
