#include "optimize/run_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "core/error.h"
#include "optimize/crash_point.h"

namespace fs = std::filesystem;

namespace remask::optimize {

namespace {

std::string errno_text() { return std::strerror(errno); }

// Makes a rename or a new file's name in `folder` survive a power cut.
void sync_folder(const std::string& folder, const std::string& what) {
    int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw ExternalError(what, "cannot open its folder to sync it: " + errno_text());
    if (::fsync(fd) != 0 && errno != EINVAL) {
        std::string error = errno_text();
        ::close(fd);
        throw ExternalError(what, "cannot sync its folder: " + error);
    }
    ::close(fd);
}

std::string folder_of(const std::string& path) {
    std::string parent = fs::path(path).parent_path().string();
    return parent.empty() ? "." : parent;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& text) {
    // The temp name carries the process id: the shards of a sweep write the same top-level
    // files at the same moment, and must not write into each other's temp file.
    const std::string tmp = path + "." + std::to_string(::getpid()) + ".tmp";
    const std::string name = fs::path(path).filename().string();
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw ExternalError(tmp, "cannot create file: " + errno_text());
    // Any failure before the rename leaves the previous file as it was and removes the
    // temp file, so a full disk never replaces a good file with a truncated one.
    auto give_up = [&](const std::string& action, const std::string& error) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        throw ExternalError(path, action + ": " + error + " (disk full?); the previous file is kept");
    };
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) give_up("cannot write", n < 0 ? errno_text() : "no space written");
        done += static_cast<size_t>(n);
    }
    crash_point(name + ":temp_written");
    if (::fsync(fd) != 0) give_up("cannot sync", errno_text());
    int closed = ::close(fd);
    fd = -1;
    if (closed != 0) give_up("cannot close", errno_text());
    crash_point(name + ":temp_synced");
    if (::rename(tmp.c_str(), path.c_str()) != 0) give_up("cannot replace file", errno_text());
    crash_point(name + ":renamed");
    sync_folder(folder_of(path), path);
}

void remove_leftover_temp_files(const std::string& folder) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(folder, ec))
        if (entry.is_regular_file(ec) && entry.path().extension() == ".tmp")
            fs::remove(entry.path(), ec);
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "cannot read file");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<nlohmann::json> read_jsonl(const std::string& path, bool repair) {
    std::vector<nlohmann::json> out;
    if (!fs::exists(path)) return out;
    std::string text = read_text_file(path);
    size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        ++line_no;
        if (nl == std::string::npos) {
            // No newline: the write was cut short by a crash. Drop it.
            if (repair) fs::resize_file(path, pos);
            break;
        }
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.empty()) continue;
        try {
            out.push_back(nlohmann::json::parse(line));
        } catch (const nlohmann::json::exception& e) {
            throw InputError(path + ":" + std::to_string(line_no),
                             std::string("not JSON: ") + e.what());
        }
    }
    return out;
}

RunDirectory::RunDirectory(std::string path) : path_(std::move(path)) {}

RunDirectory::RunDirectory(RunDirectory&& o) noexcept
    : path_(std::move(o.path_)), events_(o.events_), candidates_(o.candidates_) {
    o.events_ = o.candidates_ = nullptr;
}

RunDirectory& RunDirectory::operator=(RunDirectory&& o) noexcept {
    std::swap(path_, o.path_);
    std::swap(events_, o.events_);
    std::swap(candidates_, o.candidates_);
    return *this;
}

RunDirectory::~RunDirectory() {
    if (events_) std::fclose(events_);
    if (candidates_) std::fclose(candidates_);
}

RunDirectory RunDirectory::create(const std::string& path, const std::string& config_toml) {
    std::error_code ec;
    if (fs::exists(path) && !(fs::is_directory(path) && fs::is_empty(path)))
        throw UsageError(
            path, "exists and is not empty: resume it with --resume or choose another --run-dir");
    fs::create_directories(path, ec);
    if (ec) throw ExternalError(path, "cannot create run directory: " + ec.message());
    RunDirectory dir(path);
    write_file_atomically(dir.file("config.toml"), config_toml);
    dir.open_appenders();
    return dir;
}

RunDirectory RunDirectory::open(const std::string& path) {
    if (!fs::exists(path + "/config.toml"))
        throw UsageError(path, "not a run directory (no config.toml)");
    RunDirectory dir(path);
    remove_leftover_temp_files(path);  // a crash between writing a temp file and its rename
    read_jsonl(dir.file("events.jsonl"), true);  // validates, cuts a torn tail
    read_jsonl(dir.file("candidates.jsonl"), true);
    dir.open_appenders();
    return dir;
}

void RunDirectory::open_appenders() {
    events_ = std::fopen(file("events.jsonl").c_str(), "ab");
    candidates_ = std::fopen(file("candidates.jsonl").c_str(), "ab");
    if (!events_ || !candidates_) throw ExternalError(path_, "cannot open the run's journal files");
}

namespace {
void append_line(std::FILE* f, const nlohmann::json& j, const std::string& name) {
    // One write per line keeps a crash from interleaving half lines; flushed so a killed
    // process leaves everything it reported in the kernel's hands.
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), f) != line.size() || std::fflush(f) != 0)
        throw ExternalError(name, "write failed (disk full?)");
}
}  // namespace

void RunDirectory::append_event(const nlohmann::json& event) {
    append_line(events_, event, file("events.jsonl"));
}

void RunDirectory::append_candidate(const nlohmann::json& c) {
    append_line(candidates_, c, file("candidates.jsonl"));
}

void RunDirectory::filter_candidates(const std::function<bool(const nlohmann::json&)>& keep) {
    std::string text;
    for (const nlohmann::json& j : read_candidates())
        if (keep(j))
            text += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fclose(candidates_);
    candidates_ = nullptr;
    write_file_atomically(file("candidates.jsonl"), text);
    candidates_ = std::fopen(file("candidates.jsonl").c_str(), "ab");
    if (!candidates_) throw ExternalError(file("candidates.jsonl"), "cannot reopen");
}

std::vector<nlohmann::json> RunDirectory::read_events() const {
    return read_jsonl(file("events.jsonl"), false);
}

std::vector<nlohmann::json> RunDirectory::read_candidates() const {
    return read_jsonl(file("candidates.jsonl"), false);
}

std::optional<nlohmann::json> RunDirectory::read_checkpoint() const {
    if (!fs::exists(file("checkpoint.json"))) return std::nullopt;
    try {
        return nlohmann::json::parse(read_text_file(file("checkpoint.json")));
    } catch (const nlohmann::json::exception& e) {
        throw InputError(file("checkpoint.json"), std::string("not JSON: ") + e.what());
    }
}

void RunDirectory::sync_journals() {
    for (auto [f, name] : {std::pair{events_, "events.jsonl"}, std::pair{candidates_, "candidates.jsonl"}})
        if (std::fflush(f) != 0 || ::fsync(::fileno(f)) != 0)
            throw ExternalError(file(name), "cannot sync: " + errno_text() + " (disk full?)");
}

void RunDirectory::write_checkpoint(const nlohmann::json& checkpoint) {
    // The checkpoint refers to the journal's events (spend, traces): they reach the disk
    // first, so after a power cut the journal is never behind the checkpoint.
    sync_journals();
    crash_point("checkpoint:journal_synced");
    write_file_atomically(file("checkpoint.json"), checkpoint.dump(1) + "\n");
}

}  // namespace remask::optimize
