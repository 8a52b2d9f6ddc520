// --target parsing, the factory, and `remask chat` end to end against the fake server.
#include "llm/factory.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "core/error.h"
#include "fake_openai_server.h"
#include "temp_dir.h"

namespace remask {
namespace {

using testing::Fault;
using testing::FakeOpenAIServer;

TEST(Factory, UrlTargetTakesTheModelFlagOrTheServersFirstModel) {
    FakeOpenAIServer server;
    EndpointSettings flagged = parse_target_argument(server.base_url(), "my-model");
    EXPECT_EQ(flagged.provider, "openai");
    EXPECT_EQ(flagged.base_url, server.base_url());
    EXPECT_EQ(flagged.model, "my-model");
    EXPECT_EQ(parse_target_argument(server.base_url() + "/", "").model, "fake-model");
}

TEST(Factory, UrlTargetWithoutAModelListFallsBackToDefault) {
    std::string dead;
    {
        FakeOpenAIServer server;
        dead = server.base_url();
    }
    EXPECT_EQ(parse_target_argument(dead, "").model, "default");
}

TEST(Factory, LocalTargetWithoutAModelFolderNamesTheMissingFile) {
    EndpointSettings local = parse_target_argument("local:models/qwen", "");
    EXPECT_EQ(local.provider, "local");
    EXPECT_EQ(local.model, "models/qwen");
    try {
        make_language_model(local, ClientOptions{});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("models/qwen"), std::string::npos) << e.what();
    }
}

TEST(Factory, TomlTargetReadsItsTargetTable) {
    testing::TempDir dir;
    std::string path = dir.file("t.toml");
    std::ofstream(path) << "[target]\nbase_url = \"http://h:1/v1\"\nmodel = \"m\"\nmax_in_flight = 3\n"
                           "price_input_per_mtok = 1.5\n";
    EndpointSettings settings = parse_target_argument(path, "");
    EXPECT_EQ(settings.base_url, "http://h:1/v1");
    EXPECT_EQ(settings.model, "m");
    EXPECT_EQ(settings.max_in_flight, 3);
    EXPECT_DOUBLE_EQ(settings.price_input_per_mtok, 1.5);
    EXPECT_EQ(parse_target_argument(path, "other").model, "other");

    std::ofstream(path) << "[target]\nmodle = \"m\"\n";
    EXPECT_THROW(parse_target_argument(path, ""), InputError);
    EXPECT_THROW(parse_target_argument(dir.file("missing.toml"), ""), InputError);
}

TEST(Factory, AnythingElseIsAUsageError) {
    for (const char* bad : {"gpt-4o", "http://host:8080", "ftp://x/v1", "local:"})
        EXPECT_THROW(parse_target_argument(bad, ""), UsageError) << bad;
}

struct CommandResult {
    int exit_code;
    std::string out;
    std::string err;
};

CommandResult run_remask(const std::string& args, const std::string& env) {
    testing::TempDir dir;
    std::string command = env + " " + std::getenv("REMASK_BIN") + " " + args + " >" + dir.file("out") +
                          " 2>" + dir.file("err");
    int status = std::system(command.c_str());
    auto slurp = [](const std::string& path) {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    return {WEXITSTATUS(status), slurp(dir.file("out")), slurp(dir.file("err"))};
}

TEST(ChatCommand, PrintsTheReplyThenAnswersFromTheCache) {
    FakeOpenAIServer server;
    testing::TempDir dir;
    std::string env = "REMASK_CACHE=" + dir.file("c.sqlite");
    std::string args = "chat --target " + server.base_url() + " --system 'Be terse.' --seed 3 hello";
    CommandResult plain = run_remask(args, env);
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(plain.out, "answer to hello\n");

    CommandResult json = run_remask(args + " --json", env);
    ASSERT_EQ(json.exit_code, 0) << json.err;
    auto doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["reply"], "answer to hello");
    EXPECT_EQ(doc["cached"], true);
    EXPECT_EQ(doc["model"], "fake-model");
    EXPECT_EQ(doc["usage"]["prompt_tokens"], 5);
    EXPECT_EQ(doc["usage"]["completion_tokens"], 3);
    EXPECT_EQ(server.requests(), 1);

    CommandResult fresh = run_remask(args + " --json --no-cache", env);
    ASSERT_EQ(fresh.exit_code, 0) << fresh.err;
    EXPECT_EQ(nlohmann::json::parse(fresh.out)["cached"], false);
    EXPECT_EQ(server.requests(), 2);
}

TEST(ChatCommand, A401IsOneErrorLineAndExitCode1) {
    FakeOpenAIServer server;
    server.set_fault_plan([](const std::string&, int) { return Fault::unauthorized_401; });
    testing::TempDir dir;
    CommandResult result = run_remask("chat --target " + server.base_url() + " --model m hi",
                                      "REMASK_CACHE=" + dir.file("c.sqlite") + " OPENAI_API_KEY=");
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(result.err.rfind("remask: error: HTTP 401 from ", 0), 0u) << result.err;
    EXPECT_NE(result.err.find("Incorrect API key provided"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("OPENAI_API_KEY is not set"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "more than one line: " << result.err;
    EXPECT_EQ(server.requests(), 1);
}

TEST(ChatCommand, BadTargetIsAUsageError) {
    CommandResult result = run_remask("chat --target nonsense hi", "");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("--target"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace remask
