#pragma once
// The transcript file of a τ-bench run: JSON lines, one finished episode each, appended
// and flushed as episodes finish, so a resumed run skips what is already there.
//
// Each line holds the `remask eval --out` keys (id, input, expected, reply, parsed, score,
// feedback, tokens_in, tokens_out, cached) plus the episode: domain, task_index, trial,
// reward, database_ok, outputs, end_reason, actions, messages, agent/user use, prompt_hash.

#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "tasks/tau/episode.h"

namespace remask::tau {

using EpisodeKey = std::pair<std::string, int>;  // (task id, trial)

class EpisodeLog {
public:
    // Opens path for appending (creating it); "" = no file, append() does nothing.
    explicit EpisodeLog(const std::string& path);
    // Thread-safe; each line is written whole and flushed.
    void append(const EpisodeResult& episode, const TauTask& task);

private:
    std::mutex mutex_;
    std::ofstream out_;
    std::string path_;
};

// Finished episodes in path for this domain and prompt (prompt_hash as in EpisodeResult;
// "" = any prompt), keyed by (task id, trial); a later line wins; lines without a task id
// (written before ids existed) are skipped, so those episodes run again. A missing file is an
// empty map; a torn last line (a crash mid-write) is skipped; any other bad line is an
// InputError naming the file and line.
std::map<EpisodeKey, EpisodeResult> load_finished_episodes(const std::string& path, const std::string& domain,
                                                           const std::string& prompt_hash);

}  // namespace remask::tau
