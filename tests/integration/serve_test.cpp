// `remask serve` end to end on the tiny fixture models: the official OpenAI JS client,
// remask's own client against the server versus the same model in-process, /v1/infill,
// bad requests, and SIGTERM.

#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "background_process.h"
#include "run_command.h"

namespace remask::testing {
namespace {

using nlohmann::json;

class ServeOpenAIClient : public ::testing::TestWithParam<const char*> {};

TEST_P(ServeOpenAIClient, OfficialJavaScriptClientWorksUnchanged) {
    BackgroundRemask server({"serve", "--model", fixture_path(GetParam())});
    int code = 0;
    std::string out = run_shell("REMASK_NODE_DIR='" + std::string(REMASK_NODE_DIR) + "' node '" +
                                    std::string(REMASK_SOURCE_DIR) + "/tests/integration/openai_js_client.js' " +
                                    std::to_string(server.port()),
                                &code);
    ASSERT_EQ(code, 0) << out;
    json seen = json::parse(out);
    EXPECT_EQ(seen["models"], json::array({GetParam()}));
    EXPECT_EQ(seen["single"]["role"], "assistant");
    EXPECT_TRUE(seen["single"]["content"].is_string());
    EXPECT_LE(seen["single"]["usage"]["completion_tokens"].get<int>(), 6);
    EXPECT_GT(seen["single"]["usage"]["prompt_tokens"].get<int>(), 0);
    ASSERT_EQ(seen["concurrent"].size(), 4u);
    for (const json& reply : seen["concurrent"]) EXPECT_TRUE(reply.is_string());
    EXPECT_EQ(seen["bad_request"]["status"], 400);
    EXPECT_NE(seen["bad_request"]["message"].get<std::string>().find("messages"), std::string::npos);
    EXPECT_EQ(server.stop(), 0) << "SIGTERM should end the server cleanly";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ServeOpenAIClient, ::testing::Values("qwen2-e2e", "dream-e2e"),
                         [](const auto& info) { return std::string(info.param) == "qwen2-e2e" ? "causal" : "diffusion"; });

TEST(Serve, RemoteAndInProcessTargetsGiveTheSameReply) {
    BackgroundRemask server({"serve", "--model", fixture_path("qwen2-e2e")});
    std::vector<std::string> common = {"--seed", "11", "--temperature", "0.8", "--max-tokens", "8", "--no-cache",
                                       "Tell me a story."};
    std::vector<std::string> remote = {"chat", "--target", server.base_url()};
    std::vector<std::string> local = {"chat", "--target", "local:" + fixture_path("qwen2-e2e")};
    remote.insert(remote.end(), common.begin(), common.end());
    local.insert(local.end(), common.begin(), common.end());
    CommandResult via_server = run_remask(remote);
    CommandResult in_process = run_remask(local);
    ASSERT_EQ(via_server.exit_code, 0) << via_server.err;
    ASSERT_EQ(in_process.exit_code, 0) << in_process.err;
    EXPECT_EQ(via_server.out, in_process.out);
    EXPECT_FALSE(via_server.out.empty());
}

TEST(Serve, InfillChangesOnlyMaskedSpansAndRepeatsForASeed) {
    BackgroundRemask server({"serve", "--model", fixture_path("dream-e2e")});
    httplib::Client cli("127.0.0.1", server.port());
    json request = {{"text", "The plot was <mask:4> and the acting <mask:3>."},
                    {"context", "Rewrite the review."},
                    {"steps", 4},
                    {"seed", 9},
                    {"temperature", 0.7},
                    {"candidates", 2},
                    {"slack", 1}};
    auto first = cli.Post("/v1/infill", request.dump(), "application/json");
    auto again = cli.Post("/v1/infill", request.dump(), "application/json");
    ASSERT_TRUE(first && again);
    ASSERT_EQ(first->status, 200) << first->body;
    EXPECT_EQ(first->body, again->body);
    json body = json::parse(first->body);
    ASSERT_EQ(body["candidates"].size(), 2u);
    EXPECT_EQ(body["usage"]["forward_passes"].get<int>(), 4);
    for (const json& candidate : body["candidates"]) {
        std::string text = candidate["text"];
        const json& spans = candidate["spans"];
        ASSERT_EQ(spans.size(), 2u);
        size_t s0 = spans[0]["start"], e0 = spans[0]["end"], s1 = spans[1]["start"], e1 = spans[1]["end"];
        EXPECT_EQ(text.substr(0, s0), "The plot was ");
        EXPECT_EQ(text.substr(e0, s1 - e0), " and the acting ");
        EXPECT_EQ(text.substr(e1), ".");
        EXPECT_EQ(text.substr(s0, e0 - s0), spans[0]["filled"].get<std::string>());
    }
}

TEST(Serve, BadRequestsGetTheirStatusAndTheServerKeepsServing) {
    BackgroundRemask server({"serve", "--model", fixture_path("dream-e2e"), "--max-body-bytes", "4096"});
    httplib::Client cli("127.0.0.1", server.port());
    struct Case {
        std::string path, body;
        int status;
    } cases[] = {
        {"/v1/chat/completions", "{\"messages\": [", 400},
        {"/v1/chat/completions", R"({"model": "m"})", 400},
        {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "a"}], "max_tokens": "ten"})", 400},
        {"/v1/chat/completions", R"({"messages": [{"role": "user", "content": "a"}], "max_tokens": 6, "block_length": 4})", 400},
        {"/v1/infill", R"({"text": "no slots here"})", 400},
        {"/v1/infill", R"({"text": "a <mask:0> b"})", 400},
        {"/v1/infill", R"({"text": "a <mask:2"})", 400},
        {"/v1/infill", R"({"text": 5})", 400},
        {"/v1/chat/completions", std::string(5000, ' '), 413},
    };
    for (const Case& c : cases) {
        auto res = cli.Post(c.path.c_str(), c.body, "application/json");
        ASSERT_TRUE(res) << c.body.substr(0, 80);
        EXPECT_EQ(res->status, c.status) << c.body.substr(0, 80) << " -> " << res->body;
        json error = json::parse(res->body);
        EXPECT_TRUE(error["error"]["message"].is_string()) << res->body;
    }
    auto health = cli.Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    auto ok = cli.Post("/v1/chat/completions",
                       R"({"messages": [{"role": "user", "content": "a"}], "max_tokens": 4, "steps": 2})",
                       "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << ok->body;
}

}  // namespace
}  // namespace remask::testing

namespace remask::testing {
namespace {

TEST(TauEval, OracleAgentScoresOneOnRetailDev) {
    CommandResult r = run_remask({"eval", "--task", "tau-retail", "--split", "dev", "--agent", "oracle", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["n"], 20);
    EXPECT_EQ(summary["pass_hat_k"]["1"], 1.0);
    EXPECT_EQ(summary["calls"], 0) << "the oracle needs no model";
}

TEST(TauEval, EpisodeRunsAgainstRemaskServe) {
    BackgroundRemask server({"serve", "--model", fixture_path("qwen2-e2e")});
    // Short answers keep the episode cheap: random weights never call a tool or stop.
    TempDir tmp;
    std::string dir = tmp.dir.string();
    std::string target = dir + "/target.toml";
    FILE* f = std::fopen(target.c_str(), "w");
    std::fprintf(f, "[target]\nbase_url = \"%s\"\nmodel = \"qwen2-e2e\"\nmax_tokens = 2\n", server.base_url().c_str());
    std::fclose(f);
    CommandResult r = run_remask({"eval", "--task", "tau-airline", "--split", "all", "--limit", "1", "--target",
                                  target, "--user", target, "--no-cache", "--json", "--out", dir + "/episodes.jsonl"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["n"], 1);
    EXPECT_EQ(summary["pass_hat_k"]["1"], 0.0) << "noise cannot solve a task";
    EXPECT_GT(summary["calls"].get<int>(), 0);
    EXPECT_GT(summary["user_calls"].get<int>(), 0);
    EXPECT_TRUE(std::filesystem::exists(dir + "/episodes.jsonl"));
}

}  // namespace
}  // namespace remask::testing

namespace remask::testing {
namespace {

TEST(EvalAgainstServe, Sst2DevReportsHonestlyOnATinyModel) {
    BackgroundRemask server({"serve", "--model", fixture_path("qwen2-e2e")});
    TempDir tmp;
    std::string dir = tmp.dir.string();
    std::string prompt = dir + "/prompt.txt";
    FILE* f = std::fopen(prompt.c_str(), "w");
    std::fputs("Answer positive or negative.", f);
    std::fclose(f);
    CommandResult r = run_remask({"eval", "--task", "sst2", "--split", "dev", "--limit", "6", "--prompt", prompt,
                                  "--target", server.base_url(), "--no-cache", "--json", "--out", dir + "/rows.jsonl"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json summary = nlohmann::json::parse(r.out);
    EXPECT_EQ(summary["n"], 6);
    EXPECT_EQ(summary["calls"], 6);
    double accuracy = summary["accuracy"];
    EXPECT_GE(accuracy, 0.0);
    EXPECT_LE(accuracy, 1.0);
    EXPECT_NE(r.err.find("6 examples -> at most 6 target calls"), std::string::npos)
        << "the expected calls are printed before the run: " << r.err;
}

}  // namespace
}  // namespace remask::testing
