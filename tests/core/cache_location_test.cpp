// [run] cache: file paths and postgresql:// URLs; other URLs and URLs with passwords are
// refused where the config is read, so nothing is created and no secret reaches config.toml.
#include "core/cache_location.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/settings.h"

namespace remask {
namespace {

std::string error_of(const std::string& cache) {
    try {
        parse_settings("[run]\ncache = \"" + cache + "\"\n", "run.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(CacheLocation, PathsAndPasswordFreePostgresUrlsAreAccepted) {
    EXPECT_EQ(error_of("runs/calls.sqlite"), "");
    EXPECT_EQ(error_of("postgresql:///remask?host=/tmp&port=5432"), "");
    EXPECT_EQ(error_of("postgres://alice@db.example:5433/remask?sslmode=require"), "");
    Settings s = parse_settings("[run]\ncache = \"postgresql://alice@db/remask\"\n", "run.toml");
    EXPECT_NE(settings_to_toml(s).find("postgresql://alice@db/remask"), std::string::npos);
}

TEST(CacheLocation, PasswordsAreRefusedWithoutRepeatingThem) {
    for (const std::string url : {"postgresql://alice:s3cret@db/remask", "postgresql:///remask?host=/tmp&password=s3cret",
                                  "postgres://db/remask?sslpassword=s3cret", "postgresql://alice:@db/remask"}) {
        std::string message = error_of(url);
        EXPECT_EQ(message.rfind("run.toml: [run] cache: a password in the cache URL is refused", 0), 0u) << message;
        EXPECT_NE(message.find("PGPASSWORD"), std::string::npos) << message;
        EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
    }
}

TEST(CacheLocation, OtherUrlSchemesAreNotTakenForPaths) {
    EXPECT_TRUE(looks_like_url("mysql://db/x"));
    EXPECT_FALSE(looks_like_url("runs/a://b"));
    EXPECT_FALSE(looks_like_url("calls.sqlite"));
    std::string message = error_of("mysql://db/remask");
    EXPECT_NE(message.find("[run] cache: 'mysql://' is not a cache backend"), std::string::npos) << message;
}

}  // namespace
}  // namespace remask
