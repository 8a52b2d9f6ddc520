#pragma once
// Appending to RUN_DIR/feedback.jsonl from several writers at once (the review page's
// request threads, a second `remask review` process): each line goes out in one write(2)
// on a descriptor opened with O_APPEND, so lines never interleave or tear, whoever writes.
//
//   append_feedback_line(dir + "/feedback.jsonl", {{"id", "val-3"}, {"comment", "..."}});

#include <nlohmann/json.hpp>
#include <string>

namespace remask::optimize {

// Appends entry.dump() + "\n" in one write. Throws ExternalError naming the file when it
// cannot (a short write is reported, never retried, so no line is ever split).
void append_feedback_line(const std::string& path, const nlohmann::json& entry);

// Now, UTC, as "2026-11-28T16:40:05Z".
std::string utc_timestamp();

}  // namespace remask::optimize
