#pragma once
// The files of a run directory (INTERFACES.md "Run directory"):
//   config.toml       the resolved configuration, no secrets
//   events.jsonl      every call batch, proposal, candidate and decision, appended and
//                     flushed as it happens (the journal a resumed run replays)
//   candidates.jsonl  one line per candidate
//   checkpoint.json   the loop state after each iteration (temp file + rename), written
//                     only after the journal files are fsynced
//   best_prompt.txt, summary.json, report.html
// Whole-file writes go through a temp file and a rename, so a crash leaves either the old
// or the new file, never half of one.

#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace remask::optimize {

// Writes `text` to `path` atomically: a temp file `path`.tmp in the same folder, written,
// fsynced and closed with every error checked, renamed over `path`, then the folder
// fsynced. On any error the temp file is removed, `path` keeps its previous content and an
// ExternalError names the file.
void write_file_atomically(const std::string& path, const std::string& text);
// Removes `*.tmp` files a crash left between a temp file's write and its rename.
void remove_leftover_temp_files(const std::string& folder);
std::string read_text_file(const std::string& path);

class RunDirectory {
  public:
    // A new run: `path` must not exist or be an empty folder (UsageError otherwise, so an
    // old run is never overwritten). Writes config.toml.
    static RunDirectory create(const std::string& path, const std::string& config_toml);
    // An existing run (UsageError when it has no config.toml). A torn last line of
    // events.jsonl (a crash mid-write) is cut off; any other bad line is an InputError.
    static RunDirectory open(const std::string& path);

    RunDirectory(RunDirectory&&) noexcept;
    RunDirectory& operator=(RunDirectory&&) noexcept;
    ~RunDirectory();

    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

    void append_event(const nlohmann::json& event);
    void append_candidate(const nlohmann::json& candidate);
    // Keeps only candidates.jsonl lines for which keep(line) is true (used when resuming,
    // before an unfinished iteration is replayed).
    void filter_candidates(const std::function<bool(const nlohmann::json&)>& keep);

    std::vector<nlohmann::json> read_events() const;
    std::vector<nlohmann::json> read_candidates() const;
    std::optional<nlohmann::json> read_checkpoint() const;
    // Syncs events.jsonl and candidates.jsonl, then replaces checkpoint.json atomically.
    void write_checkpoint(const nlohmann::json& checkpoint);
    void sync_journals();

  private:
    explicit RunDirectory(std::string path);
    void open_appenders();

    std::string path_;
    std::FILE* events_ = nullptr;
    std::FILE* candidates_ = nullptr;
};

// Reads a JSONL file; a torn last line is dropped (and cut from the file when
// `repair` is set); other bad lines throw InputError naming file and line.
std::vector<nlohmann::json> read_jsonl(const std::string& path, bool repair);

}  // namespace remask::optimize
