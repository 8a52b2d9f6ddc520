#include "llm/postgres_call_cache.h"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <random>
#include <sstream>

#include "core/cache_location.h"
#include "core/error.h"
#include "core/log.h"
#include "llm/chat_json.h"

namespace remask {

namespace {

// Each step brings a database from the version before it to its own version.
struct Migration {
    int version;
    const char* sql;
};

const Migration kMigrations[] = {
    {1,
     "CREATE TABLE remask_calls ("
     " key text PRIMARY KEY,"
     " model text NOT NULL,"
     " response text NOT NULL,"
     " created_at timestamptz NOT NULL DEFAULT now());"
     "CREATE TABLE remask_leases ("
     " key text PRIMARY KEY,"
     " owner text NOT NULL,"
     " holder text NOT NULL,"
     " expires_at timestamptz NOT NULL);"
     "CREATE INDEX remask_leases_holder ON remask_leases (holder);"},
};

// An arbitrary constant: the advisory lock that serializes schema changes between processes.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(7265736173)";

std::string make_holder_id() {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    std::random_device seed;
    std::ostringstream id;
    id << host << ":" << getpid() << ":" << std::hex << seed() << seed();
    return id.str();
}

std::string format_seconds(double seconds) {
    std::ostringstream text;
    text << seconds;
    return text.str();
}

std::optional<ChatResponse> parse_row(const std::string& text) {
    // A row written by a newer or broken version is a miss: the call is redone.
    try {
        ChatResponse response = response_from_json(nlohmann::json::parse(text));
        response.cached = true;
        return response;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

std::string postgres_conninfo(const std::string& url, const std::string& where, double* lease_s) {
    check_cache_location(url, where);
    std::string conninfo = url;
    if (size_t question = url.find('?'); question != std::string::npos) {
        conninfo = url.substr(0, question);
        std::string kept;
        std::istringstream query(url.substr(question + 1));
        for (std::string pair; std::getline(query, pair, '&');) {
            if (pair.rfind("lease_s=", 0) == 0) {
                char* end = nullptr;
                std::string value = pair.substr(8);
                double parsed = std::strtod(value.c_str(), &end);
                if (value.empty() || *end != '\0' || !(parsed > 0))
                    throw InputError(where, "lease_s in the cache URL must be a positive number of seconds");
                if (lease_s) *lease_s = parsed;
                continue;
            }
            kept += (kept.empty() ? "" : "&") + pair;
        }
        if (!kept.empty()) conninfo += "?" + kept;
    }
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (!options) {
        std::string message = error ? error : "out of memory";
        PQfreemem(error);
        while (!message.empty() && message.back() == '\n') message.pop_back();
        throw InputError(where, "not a PostgreSQL URL libpq accepts: " + message);
    }
    bool has_password = false;
    for (PQconninfoOption* o = options; o->keyword; ++o)
        if ((std::string(o->keyword) == "password" || std::string(o->keyword) == "sslpassword") && o->val &&
            *o->val)
            has_password = true;
    PQconninfoFree(options);
    if (has_password)
        throw InputError(where, "a password in the cache URL is refused: put it in PGPASSWORD or ~/.pgpass");
    return conninfo;
}

PostgresCallCache::PostgresCallCache(const std::string& url)
    : url_(url),
      holder_(make_holder_id()),
      pool_(postgres_conninfo(url, "cache " + url, &lease_s_), "cache " + url, 32) {
    migrate();
    renewer_ = std::thread([this] { renew_leases(); });
}

PostgresCallCache::~PostgresCallCache() {
    {
        std::lock_guard lock(renew_mutex_);
        stopping_ = true;
    }
    stop_renewing_.notify_all();
    renewer_.join();
}

void PostgresCallCache::migrate() {
    auto conn = pool_.acquire();
    conn->exec_plain("BEGIN");
    try {
        conn->exec_plain(kSchemaLock);
        conn->exec_plain("CREATE TABLE IF NOT EXISTS remask_schema (version integer NOT NULL)");
        PgResult current = conn->exec_plain("SELECT max(version) FROM remask_schema");
        int version = current.is_null(0, 0) ? 0 : std::stoi(current.text(0, 0));
        if (version > kSchemaVersion)
            throw ExternalError("cache " + url_, "the database holds schema version " + std::to_string(version) +
                                                     ", newer than this remask's " +
                                                     std::to_string(kSchemaVersion) +
                                                     ": upgrade remask or use another database");
        for (const Migration& m : kMigrations) {
            if (m.version <= version) continue;
            conn->exec_plain(m.sql);
            conn->exec_plain("DELETE FROM remask_schema");
            conn->exec_plain("INSERT INTO remask_schema (version) VALUES (" + std::to_string(m.version) + ")");
        }
        conn->exec_plain("COMMIT");
    } catch (...) {
        try {
            conn->exec_plain("ROLLBACK");
        } catch (...) {
        }
        throw;
    }
}

int PostgresCallCache::schema_version() {
    auto conn = pool_.acquire();
    PgResult r = conn->exec("schema_version", "SELECT max(version) FROM remask_schema", {});
    return r.is_null(0, 0) ? 0 : std::stoi(r.text(0, 0));
}

std::optional<ChatResponse> PostgresCallCache::find(const std::string& key) {
    std::string text;
    {
        auto conn = pool_.acquire();
        PgResult r = conn->exec("find", "SELECT response FROM remask_calls WHERE key = $1", {key});
        if (r.rows() == 0) return std::nullopt;
        text = r.text(0, 0);
    }
    return parse_row(text);
}

bool PostgresCallCache::try_lease(const std::string& key, const std::string& owner) {
    auto conn = pool_.acquire();
    // A new lease, or one whose holder stopped renewing it: expired leases are taken over.
    PgResult r = conn->exec("lease",
                            "INSERT INTO remask_leases (key, owner, holder, expires_at)"
                            " VALUES ($1, $2, $3, now() + make_interval(secs => $4::float8))"
                            " ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner,"
                            " holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at"
                            " WHERE remask_leases.expires_at < now()"
                            " RETURNING owner",
                            {key, owner, holder_, format_seconds(lease_s_)});
    return r.rows() == 1;
}

std::optional<ChatResponse> PostgresCallCache::find_or_lease(const std::string& key) {
    std::string owner;
    {
        std::lock_guard lock(leases_mutex_);
        owner = holder_ + "#" + std::to_string(++next_owner_);
    }
    auto poll = std::chrono::milliseconds(5);
    while (true) {
        if (auto hit = find(key)) return hit;
        if (try_lease(key, owner)) {
            {
                std::lock_guard lock(leases_mutex_);
                leases_[key] = owner;
            }
            // The holder before us may have committed between our find and our lease.
            if (auto hit = find(key)) {
                release_lease(key);
                return hit;
            }
            return std::nullopt;
        }
        // Another process (or thread) is sending it: wait for its row or its lease to lapse.
        std::this_thread::sleep_for(poll);
        poll = std::min(poll * 2, std::chrono::milliseconds(100));
    }
}

void PostgresCallCache::release_lease(const std::string& key) {
    std::string owner;
    {
        std::lock_guard lock(leases_mutex_);
        auto it = leases_.find(key);
        if (it == leases_.end()) return;
        owner = it->second;
        leases_.erase(it);
    }
    auto conn = pool_.acquire();
    conn->exec("release", "DELETE FROM remask_leases WHERE key = $1 AND owner = $2", {key, owner});
}

void PostgresCallCache::store(const std::string& key, const std::string& model, const ChatResponse& response) {
    std::string owner;
    {
        std::lock_guard lock(leases_mutex_);
        if (auto it = leases_.find(key); it != leases_.end()) {
            owner = it->second;
            leases_.erase(it);
        }
    }
    auto conn = pool_.acquire();
    // One statement, so the answer and the end of its lease commit together.
    conn->exec("store",
               "WITH released AS (DELETE FROM remask_leases WHERE key = $1 AND owner = $4)"
               " INSERT INTO remask_calls (key, model, response) VALUES ($1, $2, $3)"
               " ON CONFLICT (key) DO UPDATE SET model = EXCLUDED.model,"
               " response = EXCLUDED.response, created_at = now()",
               {key, model, response_to_json(response).dump(), owner});
}

int64_t PostgresCallCache::size() {
    auto conn = pool_.acquire();
    PgResult r = conn->exec("size", "SELECT count(*) FROM remask_calls", {});
    return std::stoll(r.text(0, 0));
}

void PostgresCallCache::renew_leases() {
    auto period = std::chrono::duration<double>(lease_s_ / 3);
    std::unique_lock lock(renew_mutex_);
    while (!stop_renewing_.wait_for(lock, period, [&] { return stopping_; })) {
        {
            std::lock_guard held(leases_mutex_);
            if (leases_.empty()) continue;
        }
        try {
            auto conn = pool_.acquire();
            conn->exec("renew",
                       "UPDATE remask_leases SET expires_at = now() + make_interval(secs => $2::float8)"
                       " WHERE holder = $1",
                       {holder_, format_seconds(lease_s_)});
        } catch (const std::exception& e) {
            // A missed renewal only risks a second sender; the answer is still stored.
            log_warn("cache ", url_, ": cannot renew leases: ", e.what());
        }
    }
}

}  // namespace remask
