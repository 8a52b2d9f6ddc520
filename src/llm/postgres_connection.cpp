#include "llm/postgres_connection.h"

#include "core/error.h"

namespace remask {

namespace {

bool succeeded(const PGresult* result) {
    ExecStatusType status = PQresultStatus(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string trimmed(std::string message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    return message;
}

}  // namespace

std::string PgResult::text(int row, int column) const {
    return std::string(PQgetvalue(result_, row, column), size_t(PQgetlength(result_, row, column)));
}

PgConnection::PgConnection(const std::string& conninfo, std::string subject) : subject_(std::move(subject)) {
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
        PQfinish(conn_);
        conn_ = nullptr;
        throw ExternalError(subject_, "cannot connect: " + message);
    }
    // The cache's own notices (CREATE TABLE IF NOT EXISTS …) are not the user's business.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() { PQfinish(conn_); }

void PgConnection::fail(const std::string& action) {
    throw ExternalError(subject_, action + ": " + trimmed(PQerrorMessage(conn_)));
}

PgResult PgConnection::run_prepared(const std::string& name, const char* sql,
                                    const std::vector<std::string>& params) {
    if (!prepared_.count(name)) {
        PgResult prepared(PQprepare(conn_, name.c_str(), sql, int(params.size()), nullptr));
        if (!succeeded(prepared.raw())) return prepared;
        prepared_.insert(name);
    }
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    return PgResult(PQexecPrepared(conn_, name.c_str(), int(values.size()), values.data(), nullptr,
                                   nullptr, 0));
}

PgResult PgConnection::exec(const std::string& name, const char* sql, const std::vector<std::string>& params) {
    PgResult result = run_prepared(name, sql, params);
    if (succeeded(result.raw())) return result;
    // A server restart or a dropped connection: reconnect once (prepared statements are gone).
    if (PQstatus(conn_) == CONNECTION_BAD) {
        PQreset(conn_);
        prepared_.clear();
        if (PQstatus(conn_) == CONNECTION_OK) {
            PgResult again = run_prepared(name, sql, params);
            if (succeeded(again.raw())) return again;
        }
    }
    fail("'" + name + "' failed");
}

PgResult PgConnection::exec_plain(const std::string& sql) {
    PgResult result(PQexec(conn_, sql.c_str()));
    if (!succeeded(result.raw())) fail("'" + sql.substr(0, 40) + "' failed");
    return result;
}

PgPool::PgPool(std::string conninfo, std::string subject, size_t max_connections)
    : conninfo_(std::move(conninfo)), subject_(std::move(subject)), max_connections_(std::max<size_t>(1, max_connections)) {}

PgPool::Handle::~Handle() {
    if (pool_ && conn_) pool_->give_back(std::move(conn_));
}

PgPool::Handle PgPool::acquire() {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [&] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
        std::unique_ptr<PgConnection> conn = std::move(idle_.back());
        idle_.pop_back();
        return Handle(this, std::move(conn));
    }
    ++open_;
    lock.unlock();
    try {
        return Handle(this, std::make_unique<PgConnection>(conninfo_, subject_));
    } catch (...) {
        std::lock_guard relock(mutex_);
        --open_;
        returned_.notify_one();
        throw;
    }
}

void PgPool::give_back(std::unique_ptr<PgConnection> conn) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
    returned_.notify_one();
}

}  // namespace remask
