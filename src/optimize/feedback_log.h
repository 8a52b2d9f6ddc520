#pragma once
// Appending to RUN_DIR/feedback.jsonl from several writers at once (the review page's
// request threads, a second `remask review` process): each line goes out in one write(2)
// on a descriptor opened with O_APPEND, so lines never interleave or tear, whoever writes.
//
//   append_feedback_line(dir + "/feedback.jsonl", {{"id", "val-3"}, {"comment", "..."}});

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace remask::optimize {

// Appends entry.dump() + "\n" in one write. Throws ExternalError naming the file when it
// cannot (a short write is reported, never retried, so no line is ever split).
void append_feedback_line(const std::string& path, const nlohmann::json& entry);

// The lines of a feedback file after its first `lines_taken` (complete lines only: one
// being written has no newline yet): example remarks and notes, checked; decision lines and
// invalid ones (logged as warnings naming FILE:LINE) are left out. `lines` is the number of
// complete lines now. No file: nothing new.
struct NewFeedback {
    nlohmann::json entries = nlohmann::json::array();
    int64_t lines = 0;
};
NewFeedback read_feedback_since(const std::string& path, int64_t lines_taken);

// Now, UTC, as "2026-11-28T16:40:05Z".
std::string utc_timestamp();

}  // namespace remask::optimize
