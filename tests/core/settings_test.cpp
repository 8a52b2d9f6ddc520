#include "core/settings.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace remask {
namespace {

TEST(Settings, DefaultsWhenTablesAreMissing) {
    Settings s = parse_settings("", "empty.toml");
    EXPECT_EQ(s.task.name, "sst2");
    EXPECT_EQ(s.dlm.steps, 32);
    EXPECT_EQ(s.optimizer.candidates, 4);
    EXPECT_EQ(s.budget.target_calls, 400);
    EXPECT_FALSE(s.user.has_value());
}

TEST(Settings, ReadsEveryTable) {
    Settings s = parse_settings(R"(
[task]
name = "sst5"
val_size = 50
[target]
base_url = "http://127.0.0.1:9/v1"
model = "m"
temperature = 1
[user]
model = "u"
[dlm]
steps = 16
sampler = "entropy"
[optimizer]
mask_ratio = [0.2, 0.4]
[budget]
usd = 2.5
[run]
seed = 7
)", "cfg.toml");
    EXPECT_EQ(s.task.name, "sst5");
    EXPECT_EQ(s.task.val_size, 50);
    EXPECT_EQ(s.target.model, "m");
    EXPECT_DOUBLE_EQ(s.target.temperature, 1.0);
    ASSERT_TRUE(s.user.has_value());
    EXPECT_EQ(s.user->model, "u");
    EXPECT_EQ(s.dlm.steps, 16);
    EXPECT_EQ(s.dlm.sampler, "entropy");
    EXPECT_DOUBLE_EQ(s.optimizer.mask_ratio[1], 0.4);
    EXPECT_DOUBLE_EQ(s.budget.usd, 2.5);
    EXPECT_EQ(s.run.seed, 7);
}

std::string settings_error_of(const std::string& text) {
    try {
        parse_settings(text, "bad.toml");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(Settings, UnknownKeyIsNamed) {
    EXPECT_EQ(settings_error_of("[dlm]\nstpes = 3\n"), "bad.toml: [dlm] stpes: unknown key");
}

TEST(Settings, UnknownTableIsNamed) {
    EXPECT_EQ(settings_error_of("[dlmm]\nsteps = 3\n"), "bad.toml: [dlmm]: unknown table");
}

TEST(Settings, WrongTypeIsNamed) {
    EXPECT_EQ(settings_error_of("[dlm]\nsteps = \"many\"\n"), "bad.toml: [dlm] steps: expected an integer");
}

TEST(Settings, BadEnumValueListsChoices) {
    std::string message = settings_error_of("[optimizer]\nproposer = \"gpt\"\n");
    EXPECT_NE(message.find("[optimizer] proposer"), std::string::npos);
    EXPECT_NE(message.find("ar-rewrite"), std::string::npos);
}

TEST(Settings, DlmKvCacheAndComputeKeys) {
    const Settings defaults = parse_settings("", "empty.toml");
    EXPECT_EQ(defaults.dlm.kv_cache, "dual");
    EXPECT_EQ(defaults.dlm.kv_refresh, 8);
    EXPECT_EQ(defaults.dlm.compute, "auto");
    const Settings s = parse_settings("[dlm]\nkv_cache = \"none\"\nkv_refresh = 4\ncompute = \"f32\"\n", "a.toml");
    EXPECT_EQ(s.dlm.kv_cache, "none");
    EXPECT_EQ(s.dlm.kv_refresh, 4);
    EXPECT_EQ(s.dlm.compute, "f32");
    EXPECT_NE(settings_error_of("[dlm]\nkv_cache = \"triple\"\n").find("[dlm] kv_cache"), std::string::npos);
    EXPECT_NE(settings_error_of("[dlm]\ncompute = \"fp8\"\n").find("[dlm] compute"), std::string::npos);
    EXPECT_EQ(settings_error_of("[dlm]\nkv_refresh = 0\n"), "bad.toml: [dlm] kv_refresh: must be at least 1");
    // The resolved config a run directory keeps records them.
    const Settings again = parse_settings(settings_to_toml(s), "resolved.toml");
    EXPECT_EQ(again.dlm.kv_cache, "none");
    EXPECT_EQ(again.dlm.kv_refresh, 4);
    EXPECT_EQ(again.dlm.compute, "f32");
}

TEST(Settings, SyntaxErrorHasLineAndColumn) {
    std::string message = settings_error_of("[task]\nname = \n");
    EXPECT_EQ(message.rfind("bad.toml:2:", 0), 0u) << message;
}

TEST(Settings, ResolvedTomlRoundTrips) {
    Settings s = parse_settings("[task]\nname = \"sst5\"\n[judge]\nmodel = \"j\"\n[dlm]\ntemperature = 0.25\n"
                                "url = \"http://gpu:8080\"\napi_key_env = \"SERVE_KEY\"\n",
                                "a.toml");
    Settings again = parse_settings(settings_to_toml(s), "resolved.toml");
    EXPECT_EQ(again.task.name, "sst5");
    ASSERT_TRUE(again.judge.has_value());
    EXPECT_EQ(again.judge->model, "j");
    EXPECT_DOUBLE_EQ(again.dlm.temperature, 0.25);
    EXPECT_EQ(again.dlm.api_key_env, "SERVE_KEY");
    EXPECT_EQ(settings_to_toml(again), settings_to_toml(s));
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

TEST(Settings, TauTaskKeysAndUserCallCap) {
    Settings s = parse_settings(
        "[task]\nname = \"tau-airline\"\nwhole_prompt = true\ntrials = 3\nmax_steps = 12\n[budget]\nuser_calls = 90\n",
        "tau.toml");
    EXPECT_TRUE(s.task.whole_prompt);
    EXPECT_EQ(s.task.trials, 3);
    EXPECT_EQ(s.task.max_steps, 12);
    EXPECT_EQ(s.budget.user_calls, 90);
    EXPECT_EQ(s.optimizer.prompt, "") << "tau tasks start from upstream's prompt unless a prompt is given";
    Settings again = parse_settings(settings_to_toml(s), "resolved.toml");
    EXPECT_EQ(settings_to_toml(again), settings_to_toml(s));
    EXPECT_EQ(again.optimizer.prompt, "");
    EXPECT_EQ(parse_settings("", "empty.toml").optimizer.prompt, "prompts/sst2.txt");
}

TEST(Settings, TauTrialsAndStepsMustBePositive) {
    for (const char* text : {"[task]\nname = \"tau-retail\"\ntrials = 0\n", "[task]\nmax_steps = 0\n"}) {
        try {
            parse_settings(text, "bad.toml");
            ADD_FAILURE() << "no error for " << text;
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("bad.toml"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("[task]"), std::string::npos) << e.what();
        }
    }
}

}  // namespace
}  // namespace remask
