#pragma once
// The call cache in one SQLite file (the default backend of llm/call_cache.h).
//
// Promises: WAL journal with synchronous=NORMAL, so every store() is committed when it
// returns and survives a killed process (not necessarily a power cut); several processes
// may share one file (busy_timeout 30 s); only responses are stored, never request headers
// or keys. Thread-safe.
//
// Grouped commits: threads that store() while a commit is running queue their rows; the
// next thread to find no commit running writes the whole queue in one transaction and wakes
// the others. Each store() still returns only after a commit that holds its row. With one
// thread this is exactly one autocommit INSERT per answer (the simple reference).

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>
#include <optional>
#include <string>

#include "llm/call_cache.h"

namespace remask {

class SqliteCallCache : public CallCache {
public:
    // Creates the file and its folder when missing. Throws ExternalError naming the path.
    explicit SqliteCallCache(const std::string& path);
    ~SqliteCallCache() override;
    SqliteCallCache(const SqliteCallCache&) = delete;
    SqliteCallCache& operator=(const SqliteCallCache&) = delete;

    std::optional<ChatResponse> find(const std::string& key) override;
    void store(const std::string& key, const std::string& model, const ChatResponse& response) override;
    int64_t size() override;
    const std::string& location() const override { return path_; }

private:
    struct Row {
        std::string key, model, response;
        int64_t created_unix;
    };
    // Writes rows in one transaction; returns "" or the error.
    std::string commit_rows(const std::vector<Row>& rows);
    void open_database();
    void exec(const char* sql);
    [[noreturn]] void fail(const std::string& action);

    std::string path_;
    sqlite3* db_ = nullptr;
    sqlite3_stmt* find_ = nullptr;
    sqlite3_stmt* store_ = nullptr;
    std::mutex mutex_;  // the connection and its statements

    std::mutex queue_mutex_;  // the group-commit queue below
    std::condition_variable committed_;
    std::vector<Row> queue_;
    uint64_t queued_ = 0;     // rows ever queued; a row's number is its position
    uint64_t committed_through_ = 0;
    bool committing_ = false;
    std::map<uint64_t, std::pair<uint64_t, std::string>> failed_;  // first row → (last, error)
};

}  // namespace remask
