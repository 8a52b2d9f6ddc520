#pragma once
// Levelled logging to stderr (stdout carries results only). The level comes from
// REMASK_LOG (error|warn|info|debug) or set_log_level().

#include <sstream>
#include <string>

namespace remask {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "error", "warn", "info", "debug"; throws UsageError otherwise.
LogLevel parse_log_level(const std::string& name);
void log_line(LogLevel level, const std::string& message);

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
    std::ostringstream out;
    (out << ... << args);
    return out.str();
}
}  // namespace detail

template <typename... Args>
void log_error(const Args&... args) { log_line(LogLevel::error, detail::concat(args...)); }
template <typename... Args>
void log_warn(const Args&... args) {
    if (log_level() >= LogLevel::warn) log_line(LogLevel::warn, detail::concat(args...));
}
template <typename... Args>
void log_info(const Args&... args) {
    if (log_level() >= LogLevel::info) log_line(LogLevel::info, detail::concat(args...));
}
template <typename... Args>
void log_debug(const Args&... args) {
    if (log_level() >= LogLevel::debug) log_line(LogLevel::debug, detail::concat(args...));
}

}  // namespace remask
