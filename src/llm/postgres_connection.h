#pragma once
// libpq connections for the PostgreSQL call cache: one connection per thread at a time,
// handed out by a small pool; statements are prepared once per connection.
//
//   PgPool pool(conninfo, "cache postgresql:///remask", 32);
//   auto conn = pool.acquire();                       // returned to the pool at scope end
//   PgResult r = conn->exec("find", "SELECT response FROM remask_calls WHERE key = $1", {key});
//   if (r.rows() == 1) use(r.text(0, 0));

#include <libpq-fe.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace remask {

class PgResult {
public:
    explicit PgResult(PGresult* result) : result_(result) {}
    ~PgResult() { PQclear(result_); }
    PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
    PgResult(const PgResult&) = delete;
    PgResult& operator=(const PgResult&) = delete;

    int rows() const { return PQntuples(result_); }
    std::string text(int row, int column) const;
    bool is_null(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }
    const PGresult* raw() const { return result_; }

private:
    PGresult* result_;
};

class PgConnection {
public:
    // Throws ExternalError naming `subject` when libpq cannot connect.
    PgConnection(const std::string& conninfo, std::string subject);
    ~PgConnection();
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    // A prepared statement (prepared under `name` on first use); one retry after a lost
    // connection is re-established. Throws ExternalError with the server's message.
    PgResult exec(const std::string& name, const char* sql, const std::vector<std::string>& params);
    // Plain SQL without parameters (schema changes, BEGIN/COMMIT).
    PgResult exec_plain(const std::string& sql);

private:
    PgResult run_prepared(const std::string& name, const char* sql, const std::vector<std::string>& params);
    [[noreturn]] void fail(const std::string& action);

    PGconn* conn_ = nullptr;
    std::string subject_;
    std::set<std::string> prepared_;
};

class PgPool {
public:
    PgPool(std::string conninfo, std::string subject, size_t max_connections);

    class Handle {
    public:
        Handle(PgPool* pool, std::unique_ptr<PgConnection> conn) : pool_(pool), conn_(std::move(conn)) {}
        ~Handle();
        Handle(Handle&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) { other.pool_ = nullptr; }
        PgConnection* operator->() { return conn_.get(); }

    private:
        PgPool* pool_;
        std::unique_ptr<PgConnection> conn_;
    };

    // An idle connection, a new one below the cap, or waits for one to come back.
    Handle acquire();

private:
    void give_back(std::unique_ptr<PgConnection> conn);

    std::string conninfo_;
    std::string subject_;
    size_t max_connections_;
    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    size_t open_ = 0;
};

}  // namespace remask
