#pragma once
// A temporary PostgreSQL cluster for tests: Debian's initdb and pg_ctl
// (/usr/lib/postgresql/<version>/bin), a Unix socket in a fresh temp folder, no TCP, run as
// `nobody` when the tests run as root (PostgreSQL refuses root). Stopped and removed at
// scope end.
//
//   if (PostgresCluster::binaries().empty()) GTEST_SKIP() << "...";
//   PostgresCluster cluster;
//   std::string url = cluster.create_database("t1");   // postgresql:///t1?host=…&user=remask

#include <string>

namespace remask::testing {

class PostgresCluster {
public:
    PostgresCluster();  // throws std::runtime_error with the server log when it cannot start
    ~PostgresCluster();
    PostgresCluster(const PostgresCluster&) = delete;
    PostgresCluster& operator=(const PostgresCluster&) = delete;

    // A new empty database; returns its cache URL (extra appended to the query, e.g. "&lease_s=1").
    std::string create_database(const std::string& name, const std::string& extra = "");
    // Runs SQL on a database of this cluster (as the superuser); returns the first column
    // of the rows, one per line.
    std::string query(const std::string& database, const std::string& sql);

    // The folder of initdb and pg_ctl, "" when PostgreSQL is not installed.
    static std::string binaries();

private:
    std::string as_server_user(const std::string& command) const;

    std::string dir_;
    std::string bin_;
};

}  // namespace remask::testing
