// LLaDA-MoE through every command that runs a diffusion model, on the llada-moe-e2e fixture
// (4 experts, top-2, a real tokenizer): infill with and without the dual KV cache, diffusion
// generation, /v1/infill of `remask serve`, and the optimizer's dlm proposer in-process.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "background_process.h"
#include "run_command.h"

namespace remask::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Every candidate line of `remask infill` keeps the text around its two slots.
void expect_slots_filled(const std::string& out, int candidates) {
    std::istringstream lines(out);
    std::string line;
    int n = 0;
    while (std::getline(lines, line)) {
        json c = json::parse(line);
        const std::string text = c["text"];
        ASSERT_EQ(c["spans"].size(), 2u) << line;
        size_t s0 = c["spans"][0]["start"], e0 = c["spans"][0]["end"], s1 = c["spans"][1]["start"];
        size_t e1 = c["spans"][1]["end"];
        EXPECT_EQ(text.substr(0, s0), "Reviews: ");
        EXPECT_EQ(text.substr(e0, s1 - e0), " and then ");
        EXPECT_EQ(text.substr(e1), ".");
        ++n;
    }
    EXPECT_EQ(n, candidates);
}

TEST(LladaMoeCommands, InfillWithAndWithoutTheDualKvCache) {
    for (const char* cache : {"none", "dual"}) {
        CommandResult r =
            run_remask({"infill", "--model", fixture_path("llada-moe-e2e"), "--text",
                        "Reviews: <mask:5> and then <mask:3>.", "--steps", "4", "--seed", "2",
                        "--candidates", "2", "--kv-cache", cache, "--kv-refresh", "2"});
        ASSERT_EQ(r.exit_code, 0) << cache << ": " << r.err;
        expect_slots_filled(r.out, 2);
    }
}

TEST(LladaMoeCommands, DiffusionGenerationAnswersTheSameWithTheDualKvCacheRefreshedEveryStep) {
    std::string answers[2];
    for (int i = 0; i < 2; ++i) {
        CommandResult r = run_remask({"generate", "--model", fixture_path("llada-moe-e2e"),
                                      "--prompt", "Say hi.", "--gen-length", "8", "--block-length",
                                      "8", "--steps", "4", "--seed", "1", "--forbid-eos",
                                      "--kv-cache", i == 0 ? "none" : "dual", "--kv-refresh", "1"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        answers[i] = r.out;
    }
    EXPECT_FALSE(answers[0].empty());
    EXPECT_EQ(answers[0], answers[1]) << "a refresh at every step is an exact forward";
}

TEST(LladaMoeCommands, ServeInfillRepeatsForASeed) {
    BackgroundRemask server({"serve", "--model", fixture_path("llada-moe-e2e")});
    httplib::Client cli("127.0.0.1", server.port());
    json request = {{"text", "The plot was <mask:4>."},
                    {"steps", 3},
                    {"seed", 9},
                    {"temperature", 0.7},
                    {"candidates", 2}};
    auto first = cli.Post("/v1/infill", request.dump(), "application/json");
    auto again = cli.Post("/v1/infill", request.dump(), "application/json");
    ASSERT_TRUE(first && again);
    ASSERT_EQ(first->status, 200) << first->body;
    EXPECT_EQ(first->body, again->body);
    json body = json::parse(first->body);
    ASSERT_EQ(body["candidates"].size(), 2u);
    for (const json& c : body["candidates"])
        EXPECT_EQ(c["text"].get<std::string>().rfind("The plot was ", 0), 0u);
    EXPECT_EQ(server.stop(), 0);
}

TEST(LladaMoeCommands, OptimizerDlmProposerRunsInProcess) {
    TempDir tmp;
    fs::path prompt = tmp.dir / "prompt.txt";
    std::ofstream(prompt)
        << "<keep>You label movie reviews.</keep> Say positive or negative, one word.";
    fs::path config = tmp.dir / "run.toml";
    std::ofstream(config)
        << "[task]\nname = \"sst2\"\ntrain_size = 4\nval_size = 3\ntest_size = 3\n"
        << "[target]\nprovider = \"local\"\nmodel = \"" << fixture_path("qwen2-e2e")
        << "\"\nmax_tokens = 3\nmax_in_flight = 1\n"
        << "[dlm]\nmodel = \"" << fixture_path("llada-moe-e2e") << "\"\nsteps = 3\n"
        << "[optimizer]\nproposer = \"dlm\"\ncandidates = 2\nminibatch = 2\nslack = 1\n"
        << "patience = 1\nprompt = \"" << prompt.string() << "\"\n"
        << "[budget]\ntarget_calls = 16\n"
        << "[run]\nseed = 3\ncache = \"" << (tmp.dir / "cache.sqlite").string() << "\"\n";
    const fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config.string(), "--yes", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(run / "summary.json"));
    EXPECT_NE(read_text_file((run / "best_prompt.txt").string()).find("You label movie reviews."),
              std::string::npos);
    // The proposals came from the MoE model's forwards.
    json summary = json::parse(read_text_file((run / "summary.json").string()));
    EXPECT_GT(summary["dlm_forwards"].get<int64_t>(), 0) << summary.dump();
}

}  // namespace
}  // namespace remask::testing
