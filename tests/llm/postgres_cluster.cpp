#include "postgres_cluster.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace remask::testing {

namespace {

constexpr int kPort = 5432;  // only names the socket file: the cluster listens on no TCP port

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string PostgresCluster::binaries() {
    std::error_code ignored;
    std::string found;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ignored)) {
        fs::path bin = entry.path() / "bin";
        if (fs::exists(bin / "initdb") && fs::exists(bin / "pg_ctl") && bin.string() > found) found = bin.string();
    }
    return found;
}

std::string PostgresCluster::as_server_user(const std::string& command) const {
    std::string in_dir = "cd '" + dir_ + "' && ";
    if (geteuid() != 0) return in_dir + command;
    return in_dir + "runuser -u nobody -- " + command;
}

PostgresCluster::PostgresCluster() : bin_(binaries()) {
    if (bin_.empty()) throw std::runtime_error("PostgreSQL is not installed (scripts/setup.sh installs it)");
    char pattern[] = "/tmp/remask-pg-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("cannot create a temp folder");
    dir_ = pattern;
    if (geteuid() == 0 && std::system(("chown nobody '" + dir_ + "'").c_str()) != 0)
        throw std::runtime_error("cannot hand " + dir_ + " to nobody");
    std::string initdb = as_server_user(bin_ + "/initdb -D '" + dir_ + "/data' -U remask --auth=trust -E UTF8 "
                                        "--no-sync > '" + dir_ + "/initdb.log' 2>&1");
    if (std::system(initdb.c_str()) != 0)
        throw std::runtime_error("initdb failed: " + read_file(dir_ + "/initdb.log"));
    // fsync off: the tests kill clients, never the server, so durability on disk is not under test.
    std::string start = as_server_user(bin_ + "/pg_ctl -D '" + dir_ + "/data' -l '" + dir_ + "/server.log' -w -t 60 " +
                                       "-o \"-k '" + dir_ + "' -h '' -p " + std::to_string(kPort) +
                                       " -F -N 200\" start > /dev/null 2>&1");
    if (std::system(start.c_str()) != 0)
        throw std::runtime_error("pg_ctl start failed: " + read_file(dir_ + "/server.log"));
}

PostgresCluster::~PostgresCluster() {
    std::string stop = as_server_user(bin_ + "/pg_ctl -D '" + dir_ + "/data' -m immediate -w stop > /dev/null 2>&1");
    (void)std::system(stop.c_str());
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

std::string PostgresCluster::query(const std::string& database, const std::string& sql) {
    std::string conninfo = "host='" + dir_ + "' port=" + std::to_string(kPort) + " user=remask dbname='" + database + "'";
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("cannot connect to the test cluster: " + message);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    ExecStatusType status = PQresultStatus(result);
    std::string out;
    if (status == PGRES_TUPLES_OK) {
        for (int row = 0; row < PQntuples(result); ++row) out += std::string(PQgetvalue(result, row, 0)) + "\n";
    }
    std::string message = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw std::runtime_error("'" + sql + "' failed: " + message);
    return out;
}

std::string PostgresCluster::create_database(const std::string& name, const std::string& extra) {
    query("postgres", "CREATE DATABASE " + name);
    return "postgresql:///" + name + "?host=" + dir_ + "&port=" + std::to_string(kPort) + "&user=remask" + extra;
}

}  // namespace remask::testing
