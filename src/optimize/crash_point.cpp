#include "optimize/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <utility>

namespace remask::optimize {
namespace {

struct CrashPlan {
    std::string name;
    long at = 0;
    std::atomic<long> seen{0};
    CrashPlan() = default;
    CrashPlan(CrashPlan&& o) noexcept : name(std::move(o.name)), at(o.at) {}
};

CrashPlan read_plan() {
    CrashPlan out;
    const char* env = std::getenv("REMASK_TEST_CRASH_AT");
    if (!env) return out;
    std::string text = env;
    size_t colon = text.rfind(':');
    if (colon == std::string::npos) return out;
    out.name = text.substr(0, colon);
    out.at = std::strtol(text.c_str() + colon + 1, nullptr, 10);
    return out;
}

CrashPlan& plan() {
    static CrashPlan p = read_plan();
    return p;
}

}  // namespace

void crash_point(const std::string& name) {
    CrashPlan& p = plan();
    if (p.at <= 0 || name != p.name) return;
    if (++p.seen == p.at) ::kill(::getpid(), SIGKILL);
}

}  // namespace remask::optimize
