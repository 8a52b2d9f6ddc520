// [dlm] url as one URL or a list of replicas, and [dlm] timeout_s.
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/settings.h"

namespace remask {
namespace {

TEST(DlmReplicaSettings, OneUrlOrAListOfReplicas) {
    Settings one = parse_settings("[dlm]\nurl = \"http://a:8080\"\n", "a.toml");
    EXPECT_EQ(one.dlm.url, "http://a:8080");
    EXPECT_EQ(one.dlm.urls, std::vector<std::string>{"http://a:8080"});
    EXPECT_DOUBLE_EQ(one.dlm.timeout_s, 600);

    Settings many = parse_settings("[dlm]\nurl = [\"http://a:8080\", \"http://b:8080\"]\ntimeout_s = 30\n", "m.toml");
    EXPECT_EQ(many.dlm.url, "http://a:8080");
    EXPECT_EQ(many.dlm.urls, (std::vector<std::string>{"http://a:8080", "http://b:8080"}));
    EXPECT_DOUBLE_EQ(many.dlm.timeout_s, 30);
    // config.toml keeps the list, and reads back the same.
    Settings again = parse_settings(settings_to_toml(many), "config.toml");
    EXPECT_EQ(again.dlm.urls, many.dlm.urls);
    EXPECT_EQ(settings_to_toml(again), settings_to_toml(many));
    EXPECT_TRUE(parse_settings("", "e.toml").dlm.urls.empty());
}

TEST(DlmReplicaSettings, BadValuesAreNamed) {
    auto error_of = [](const std::string& text) {
        try {
            parse_settings(text, "bad.toml");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    EXPECT_EQ(error_of("[dlm]\nurl = []\n"), "bad.toml: [dlm] url: give at least one URL");
    EXPECT_EQ(error_of("[dlm]\nurl = [1]\n"), "bad.toml: [dlm] url: expected an array of strings");
    EXPECT_EQ(error_of("[dlm]\ntimeout_s = 0\n"), "bad.toml: [dlm] timeout_s: must be a positive number of seconds");
}

}  // namespace
}  // namespace remask
