#pragma once
// The call cache in a PostgreSQL database, shared by many processes and machines
// ([run] cache = "postgresql://…", libpq's URL; the password comes from PGPASSWORD or
// ~/.pgpass, never from the URL). remask's own URL parameter `lease_s` (default 30) is
// removed before libpq sees the URL.
//
// Promises: store() returns after the row is committed (autocommit with the server's
// synchronous_commit); rows hold responses only. Single-flight across processes: the first
// find_or_lease() of a key inserts a lease row (key, owner, expiry); others poll for the
// answer while it is live. The holder renews its leases every lease_s / 3 from a background
// thread, so a lease outlives a slow call but expires lease_s after its holder dies, and
// then another process takes the request over. store() writes the answer and deletes the
// lease in one statement.
//
// Schema: tables remask_schema (version), remask_calls, remask_leases, created and migrated
// step by step under an advisory lock when the cache is opened; a database written by a
// newer remask is refused.

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "llm/call_cache.h"
#include "llm/postgres_connection.h"

namespace remask {

class PostgresCallCache : public CallCache {
public:
    static constexpr int kSchemaVersion = 1;

    // Throws InputError for a URL with a password or one libpq cannot parse, ExternalError
    // when the database cannot be reached or holds a newer schema.
    explicit PostgresCallCache(const std::string& url);
    ~PostgresCallCache() override;

    std::optional<ChatResponse> find(const std::string& key) override;
    std::optional<ChatResponse> find_or_lease(const std::string& key) override;
    void release_lease(const std::string& key) override;
    void store(const std::string& key, const std::string& model, const ChatResponse& response) override;
    int64_t size() override;
    const std::string& location() const override { return url_; }

    double lease_s() const { return lease_s_; }
    int schema_version();

private:
    void migrate();
    bool try_lease(const std::string& key, const std::string& owner);
    void renew_leases();

    std::string url_;
    double lease_s_ = 30;
    std::string holder_;  // this object's id in lease rows: host, pid, random
    PgPool pool_;

    std::mutex leases_mutex_;
    std::map<std::string, std::string> leases_;  // key → owner, the leases this object holds
    uint64_t next_owner_ = 0;

    std::mutex renew_mutex_;
    std::condition_variable stop_renewing_;
    bool stopping_ = false;
    std::thread renewer_;
};

// libpq's connection string for a cache URL: `lease_s` removed (returned in *lease_s).
// Throws InputError (naming `where`) for a password or a malformed URL.
std::string postgres_conninfo(const std::string& url, const std::string& where, double* lease_s);

}  // namespace remask
