#include "llm/sqlite_call_cache.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "llm/chat_json.h"

namespace remask {

SqliteCallCache::SqliteCallCache(const std::string& path) : path_(path) {
    // A failed open still allocates a handle; the destructor does not run after a throw.
    try {
        open_database();
    } catch (...) {
        sqlite3_finalize(find_);
        sqlite3_finalize(store_);
        sqlite3_close(db_);
        throw;
    }
}

void SqliteCallCache::open_database() {
    std::filesystem::path file(path_);
    std::error_code ignored;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ignored);
    if (sqlite3_open_v2(path_.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        fail("cannot open");
    // Other processes may hold the write lock for a moment; wait instead of failing.
    sqlite3_busy_timeout(db_, 30000);
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("CREATE TABLE IF NOT EXISTS calls ("
         " key TEXT PRIMARY KEY,"
         " model TEXT NOT NULL,"
         " response TEXT NOT NULL,"
         " created_unix INTEGER NOT NULL) WITHOUT ROWID");
    if (sqlite3_prepare_v2(db_, "SELECT response FROM calls WHERE key = ?1", -1, &find_,
                           nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_,
                           "INSERT OR REPLACE INTO calls (key, model, response, created_unix)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &store_, nullptr) != SQLITE_OK)
        fail("cannot prepare statements on");
}

SqliteCallCache::~SqliteCallCache() {
    sqlite3_finalize(find_);
    sqlite3_finalize(store_);
    sqlite3_close(db_);
}

void SqliteCallCache::fail(const std::string& action) {
    std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    throw ExternalError("cache " + path_, action + ": " + message +
                                              " (use --no-cache, or set REMASK_CACHE to another file)");
}

void SqliteCallCache::exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : "unknown error";
        sqlite3_free(error);
        throw ExternalError("cache " + path_, std::string(sql) + ": " + message);
    }
}

std::optional<ChatResponse> SqliteCallCache::find(const std::string& key) {
    std::string text;
    {
        std::lock_guard lock(mutex_);
        sqlite3_reset(find_);
        sqlite3_bind_text(find_, 1, key.data(), int(key.size()), SQLITE_STATIC);
        int rc = sqlite3_step(find_);
        if (rc == SQLITE_ROW) {
            text.assign(reinterpret_cast<const char*>(sqlite3_column_text(find_, 0)),
                        size_t(sqlite3_column_bytes(find_, 0)));
        } else if (rc != SQLITE_DONE) {
            sqlite3_reset(find_);
            fail("cannot read");
        }
        sqlite3_reset(find_);
        if (rc != SQLITE_ROW) return std::nullopt;
    }
    // A row written by a newer or broken version is treated as a miss: the call is redone.
    try {
        ChatResponse response = response_from_json(nlohmann::json::parse(text));
        response.cached = true;
        return response;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

void SqliteCallCache::store(const std::string& key, const std::string& model, const ChatResponse& response) {
    Row row{key, model, response_to_json(response).dump(),
            std::chrono::duration_cast<std::chrono::seconds>(
                std::chrono::system_clock::now().time_since_epoch()).count()};
    std::unique_lock lock(queue_mutex_);
    queue_.push_back(std::move(row));
    uint64_t mine = ++queued_;
    while (committed_through_ < mine) {
        if (committing_) {
            committed_.wait(lock);
            continue;
        }
        // Lead: commit everything queued so far, then wake the rows' owners.
        committing_ = true;
        std::vector<Row> rows;
        rows.swap(queue_);
        uint64_t first = committed_through_ + 1, last = queued_;
        lock.unlock();
        std::string error = commit_rows(rows);
        lock.lock();
        committing_ = false;
        committed_through_ = last;
        if (!error.empty()) failed_[first] = {last, error};
        committed_.notify_all();
    }
    // Did the commit that held this row fail?
    auto it = failed_.upper_bound(mine);
    if (it != failed_.begin() && (--it)->second.first >= mine)
        throw ExternalError("cache " + path_, "cannot write: " + it->second.second +
                                                  " (use --no-cache, or set REMASK_CACHE to another file)");
}

std::string SqliteCallCache::commit_rows(const std::vector<Row>& rows) {
    std::lock_guard lock(mutex_);
    auto error = [&] { return std::string(sqlite3_errmsg(db_)); };
    // A single row needs no explicit transaction: autocommit is one.
    bool grouped = rows.size() > 1;
    if (grouped && sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return error();
    for (const Row& row : rows) {
        sqlite3_reset(store_);
        sqlite3_bind_text(store_, 1, row.key.data(), int(row.key.size()), SQLITE_STATIC);
        sqlite3_bind_text(store_, 2, row.model.data(), int(row.model.size()), SQLITE_STATIC);
        sqlite3_bind_text(store_, 3, row.response.data(), int(row.response.size()), SQLITE_STATIC);
        sqlite3_bind_int64(store_, 4, row.created_unix);
        int rc = sqlite3_step(store_);
        sqlite3_reset(store_);
        if (rc != SQLITE_DONE) {
            std::string message = error();
            if (grouped) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
            return message;
        }
    }
    // The rows are in the WAL file (durable against a killed process) once COMMIT returns.
    if (grouped && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string message = error();
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        return message;
    }
    return "";
}

int64_t SqliteCallCache::size() {
    std::lock_guard lock(mutex_);
    sqlite3_stmt* count = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM calls", -1, &count, nullptr) != SQLITE_OK)
        fail("cannot count rows of");
    int64_t rows = sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : 0;
    sqlite3_finalize(count);
    return rows;
}

}  // namespace remask
