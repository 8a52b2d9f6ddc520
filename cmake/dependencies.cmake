# Every dependency is a Debian 12 package installed by scripts/setup.sh.
find_package(Threads REQUIRED)
# oneDNN (Debian's libdnnl-dev, OpenMP runtime) computes the engine's matrix products.
find_package(dnnl REQUIRED)
find_package(OpenMP REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(GTest REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
# libpq (Debian's libpq-dev): the PostgreSQL call cache shared by many processes.
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
find_library(UTF8PROC_LIBRARY utf8proc REQUIRED)
find_path(UTF8PROC_INCLUDE_DIR utf8proc.h REQUIRED)
# Debian builds cpp-httplib as a shared library with OpenSSL/zlib/brotli support; the
# matching defines come from its pkg-config file.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
if(REMASK_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
