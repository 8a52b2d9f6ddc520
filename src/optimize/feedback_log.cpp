#include "optimize/feedback_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/error.h"
#include "core/json_limits.h"
#include "core/log.h"
#include "optimize/feedback.h"
#include "optimize/run_directory.h"

namespace remask::optimize {

void append_feedback_line(const std::string& path, const nlohmann::json& entry) {
    const std::string line =
        entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    int fd;
    do {
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        throw ExternalError(path,
                            std::string("cannot open for appending: ") + std::strerror(errno));
    ssize_t n;
    do {
        n = ::write(fd, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
    const int write_errno = errno;
    // The line reaches the disk before the page is told it was kept.
    const bool synced = n == static_cast<ssize_t>(line.size()) && ::fdatasync(fd) == 0;
    ::close(fd);
    if (n != static_cast<ssize_t>(line.size()))
        throw ExternalError(path, n < 0 ? std::string("write failed: ") + std::strerror(write_errno)
                                        : "short write (disk full?)");
    if (!synced) throw ExternalError(path, "cannot flush to disk");
}

NewFeedback read_feedback_since(const std::string& path, int64_t lines_taken) {
    NewFeedback out;
    out.lines = lines_taken;
    std::string text;
    try {
        text = read_text_file(path);
    } catch (const InputError&) {
        return out;  // no feedback yet
    }
    int64_t line_no = 0;
    size_t pos = 0;
    for (size_t nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        if (++line_no <= lines_taken) continue;
        const std::string line = text.substr(pos, nl - pos);
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = path + ":" + std::to_string(line_no);
        try {
            nlohmann::json entry = parse_json_limited(line);  // bounded depth, as every outside JSON
            check_feedback_entry(entry, where);
            if (!entry.contains("decision")) out.entries.push_back(entry);
        } catch (const std::exception& e) {
            log_warn("feedback: skipped ", where, ": ", e.what());
        }
    }
    out.lines = std::max(line_no, lines_taken);
    return out;
}

std::string utc_timestamp() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return stamp;
}

}  // namespace remask::optimize
