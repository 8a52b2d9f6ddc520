#include "core/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "core/error.h"

namespace remask {
namespace {

LogLevel level_from_env() {
    const char* env = std::getenv("REMASK_LOG");
    if (env == nullptr || *env == '\0') return LogLevel::warn;
    try {
        return parse_log_level(env);
    } catch (const Error&) {
        return LogLevel::warn;
    }
}

std::atomic<LogLevel>& current_level() {
    static std::atomic<LogLevel> level{level_from_env()};
    return level;
}

std::mutex& stderr_mutex() {
    static std::mutex mutex;
    return mutex;
}

const char* level_name(LogLevel level) {
    switch (level) {
        case LogLevel::error: return "error";
        case LogLevel::warn: return "warning";
        case LogLevel::info: return "info";
        case LogLevel::debug: return "debug";
    }
    return "log";
}

}  // namespace

void set_log_level(LogLevel level) { current_level() = level; }
LogLevel log_level() { return current_level(); }

LogLevel parse_log_level(const std::string& name) {
    if (name == "error") return LogLevel::error;
    if (name == "warn" || name == "warning") return LogLevel::warn;
    if (name == "info") return LogLevel::info;
    if (name == "debug") return LogLevel::debug;
    throw UsageError("log level", "'" + name + "' is not one of error, warn, info, debug");
}

void log_line(LogLevel level, const std::string& message) {
    std::lock_guard<std::mutex> lock(stderr_mutex());
    std::fprintf(stderr, "remask: %s: %s\n", level_name(level), message.c_str());
    std::fflush(stderr);
}

}  // namespace remask
