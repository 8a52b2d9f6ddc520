// `remask eval` end to end: the real binary, the real OpenAI client and cache, against a
// tiny fake OpenAI server on loopback that answers each sentence with a scripted reply.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "scripted_sst2.h"
#include "temp_dir.h"

namespace remask {
namespace {

using testing::fresh_dir;
using testing::write_file;

// Answers POST /v1/chat/completions with replies[user message], counting requests.
class FakeOpenAI {
public:
    explicit FakeOpenAI(std::map<std::string, std::string> replies) : replies_(std::move(replies)) {
        server_.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(R"({"object": "list", "data": [{"id": "fake-sentiment", "object": "model"}]})",
                            "application/json");
        });
        server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
            const auto body = nlohmann::json::parse(req.body);
            const std::string user = body["messages"].back()["content"];
            std::string reply;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                ++requests_;
                if (body["messages"][0]["role"] == "system") last_system_ = body["messages"][0]["content"];
                last_model_ = body["model"];
                const auto it = replies_.find(user);
                reply = it == replies_.end() ? "no idea" : it->second;
            }
            const nlohmann::json answer = {
                {"id", "cmpl-1"}, {"object", "chat.completion"}, {"model", body["model"]},
                {"choices", {{{"index", 0}, {"message", {{"role", "assistant"}, {"content", reply}}},
                              {"finish_reason", "stop"}}}},
                {"usage", {{"prompt_tokens", 20}, {"completion_tokens", 2}, {"total_tokens", 22}}}};
            res.set_content(answer.dump(), "application/json");
        });
        // More workers than the client's 16 requests in flight, so no kept-alive connection
        // waits for a free worker.
        server_.new_task_queue = [] { return new httplib::ThreadPool(24); };
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::yield();
    }
    ~FakeOpenAI() {
        server_.stop();
        thread_.join();
    }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
    int requests() {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    std::string last_system() {
        std::lock_guard<std::mutex> lock(mutex_);
        return last_system_;
    }
    std::string last_model() {
        std::lock_guard<std::mutex> lock(mutex_);
        return last_model_;
    }

private:
    httplib::Server server_;
    std::map<std::string, std::string> replies_;
    std::mutex mutex_;
    int requests_ = 0;
    std::string last_system_;
    std::string last_model_;
    int port_ = 0;
    std::thread thread_;
};

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct CommandRun {
    int exit_code;
    std::string out;
    std::string err;
};

CommandRun run_remask(const std::filesystem::path& dir, const std::string& args) {
    const char* bin = std::getenv("REMASK_BIN");
    if (!bin) return {-1, "", "REMASK_BIN is not set (run through ctest)"};
    std::string command = "cd '";
    command += dir.string();
    command += "' && REMASK_CACHE='";
    command += (dir / "calls.sqlite").string();
    command += "' OPENAI_API_KEY= '";
    command += bin;
    command += "' " + args + " > out.txt 2> err.txt";
    const int status = std::system(command.c_str());
    return {WEXITSTATUS(status), slurp(dir / "out.txt"), slurp(dir / "err.txt")};
}

// The scripted case of scripted_sst2.h under <dir>/data, with a prompt file.
std::map<std::string, std::string> write_scripted_sst2(const std::filesystem::path& dir) {
    testing::write_scripted_sst2(dir / "data");
    write_file(dir / "prompt.txt", "Answer positive or negative.");
    return testing::scripted_replies();
}

TEST(EvalCommand, JsonSummaryOutRowsAndCacheEndToEnd) {
    const auto dir = fresh_dir();
    FakeOpenAI server(write_scripted_sst2(dir));
    const std::string args = "eval --task sst2 --split dev --prompt prompt.txt --target " + server.base_url() +
                             " --data-dir data --out rows.jsonl --json";
    const CommandRun first = run_remask(dir, args);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_EQ(server.requests(), 10);
    EXPECT_EQ(server.last_system(), "Answer positive or negative.");
    EXPECT_EQ(server.last_model(), "fake-sentiment");  // the first of GET /v1/models
    EXPECT_NE(first.err.find("at most 10 target calls"), std::string::npos) << first.err;

    const auto summary = nlohmann::json::parse(first.out);
    EXPECT_EQ(summary["task"], "sst2");
    EXPECT_EQ(summary["split"], "dev");
    EXPECT_EQ(summary["n"], 10);
    EXPECT_DOUBLE_EQ(summary["accuracy"].get<double>(), 0.5);
    EXPECT_NEAR(summary["macro_f1"].get<double>(), (0.6 + 4.0 / 7.0) / 2.0, 1e-12);
    EXPECT_EQ(summary["parse_failures"], 3);
    EXPECT_DOUBLE_EQ(summary["mean"].get<double>(), 0.5);
    EXPECT_NEAR(summary["ci95"][0].get<double>(), 0.236593, 1e-6);
    EXPECT_NEAR(summary["ci95"][1].get<double>(), 0.763407, 1e-6);
    EXPECT_EQ(summary["calls"], 10);
    // Default prices (0.15 / 0.60 per million): 10 × (20 · 0.15 + 2 · 0.60) / 1e6.
    EXPECT_NEAR(summary["usd"].get<double>(), 10 * (20 * 0.15 + 2 * 0.60) / 1e6, 1e-12);
    const std::vector<std::string> keys = {"task", "split", "n", "accuracy", "macro_f1", "parse_failures",
                                           "mean", "ci95", "calls", "usd"};
    EXPECT_EQ(summary.size(), keys.size());
    for (const auto& key : keys) EXPECT_TRUE(summary.contains(key)) << key;

    std::ifstream rows(dir / "rows.jsonl");
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(rows, line);) lines.push_back(nlohmann::json::parse(line));
    ASSERT_EQ(lines.size(), 10u);
    EXPECT_EQ(lines[2]["id"], "dev-2");
    EXPECT_EQ(lines[2]["input"], "s2");
    EXPECT_EQ(lines[2]["expected"], "positive");
    EXPECT_EQ(lines[2]["reply"], "The sentiment is negative.");
    EXPECT_EQ(lines[2]["parsed"], "negative");
    EXPECT_EQ(lines[2]["score"], 0.0);
    EXPECT_EQ(lines[2]["tokens_in"], 20);
    EXPECT_EQ(lines[2]["tokens_out"], 2);
    EXPECT_EQ(lines[2]["cached"], false);
    EXPECT_TRUE(lines[3]["parsed"].is_null());
    EXPECT_NE(lines[3]["feedback"].get<std::string>().find("counted as wrong"), std::string::npos);
    EXPECT_EQ(lines[0].size(), 10u);

    // Again: every answer comes from the cache, no call is made or counted.
    const CommandRun second = run_remask(dir, args);
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(server.requests(), 10);
    const auto again = nlohmann::json::parse(second.out);
    EXPECT_EQ(again["calls"], 0);
    EXPECT_EQ(again["usd"], 0.0);
    EXPECT_EQ(again["accuracy"], summary["accuracy"]);
    std::ifstream cached_rows(dir / "rows.jsonl");
    std::string line;
    std::getline(cached_rows, line);
    EXPECT_EQ(nlohmann::json::parse(line)["cached"], true);

    // --no-cache sends every call again.
    ASSERT_EQ(run_remask(dir, args + " --no-cache").exit_code, 0);
    EXPECT_EQ(server.requests(), 20);
}

TEST(EvalCommand, TableLimitAndConfig) {
    const auto dir = fresh_dir();
    FakeOpenAI server(write_scripted_sst2(dir));
    write_file(dir / "eval.toml", "[task]\nname = \"sst2\"\nval_size = 4\nseed = 3\n[target]\nbase_url = \"" +
                                      server.base_url() + "\"\nmodel = \"m1\"\nprice_input_per_mtok = 1000\n"
                                      "price_output_per_mtok = 0\nmax_in_flight = 2\n");
    const CommandRun run = run_remask(dir, "eval --config eval.toml --prompt prompt.txt --data-dir data --no-cache");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(server.requests(), 4);  // val_size
    EXPECT_EQ(server.last_model(), "m1");
    EXPECT_NE(run.out.find("sst2 dev: 4 examples"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("accuracy"), std::string::npos);
    EXPECT_NE(run.out.find("macro-F1"), std::string::npos);
    EXPECT_NE(run.out.find("confusion"), std::string::npos);
    EXPECT_NE(run.out.find("target calls 4"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("cost $0.080"), std::string::npos) << run.out;  // 4 × 20 tokens × $1000/M
    EXPECT_NE(run.err.find("at most 4 target calls"), std::string::npos) << run.err;

    // --limit wins over the config's size and is stratified: 6 positive, 4 negative → 3 + 2.
    const CommandRun limited = run_remask(dir, "eval --config eval.toml --prompt prompt.txt --data-dir data --no-cache "
                                        "--limit 5 --json --out rows.jsonl");
    ASSERT_EQ(limited.exit_code, 0) << limited.err;
    EXPECT_EQ(nlohmann::json::parse(limited.out)["n"], 5);
    std::ifstream rows(dir / "rows.jsonl");
    int positive = 0;
    for (std::string line; std::getline(rows, line);)
        positive += nlohmann::json::parse(line)["expected"] == "positive";
    EXPECT_EQ(positive, 3);
}

TEST(EvalCommand, ErrorsAreOneLineWithTheRightExitCode) {
    const auto dir = fresh_dir();
    FakeOpenAI server(write_scripted_sst2(dir));
    const CommandRun no_target = run_remask(dir, "eval --task sst2 --prompt prompt.txt --data-dir data");
    EXPECT_EQ(no_target.exit_code, 2);
    EXPECT_NE(no_target.err.find("remask: error: --target: required"), std::string::npos) << no_target.err;

    write_file(dir / "bad.jsonl", "{\"input\": \"a\", \"expected\": \"x\"}\n{\"input\": \"b\"}\n");
    const CommandRun bad = run_remask(dir, "eval --task jsonl --data bad.jsonl --metric exact --prompt prompt.txt "
                                    "--target " + server.base_url());
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.err.find("remask: error: bad.jsonl:2: missing field \"expected\""), std::string::npos) << bad.err;
    EXPECT_EQ(server.requests(), 0);

    const CommandRun no_prompt = run_remask(dir, "eval --task sst2 --prompt missing.txt --data-dir data --target " +
                                              server.base_url());
    EXPECT_EQ(no_prompt.exit_code, 1);
    EXPECT_NE(no_prompt.err.find("missing.txt: cannot read the prompt file"), std::string::npos) << no_prompt.err;
}

TEST(EvalCommand, JsonlWithAJudge) {
    const auto dir = fresh_dir();
    write_file(dir / "qa.jsonl", "{\"input\": \"Why is the sky blue?\", \"expected\": \"Rayleigh scattering\", "
                                 "\"split\": \"dev\"}\n");
    write_file(dir / "prompt.txt", "Answer briefly.");
    // The judge (here the same fake server) gets an unscripted message and answers "no idea":
    // an unreadable verdict, which scores 0 and says so.
    FakeOpenAI server(std::map<std::string, std::string>{{"Why is the sky blue?", "Because of scattering."}});
    const CommandRun run = run_remask(dir, "eval --task jsonl --data qa.jsonl --metric judge --rubric 'Names Rayleigh "
                                    "scattering.' --prompt prompt.txt --no-cache --json --out rows.jsonl --target " +
                                    server.base_url());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(server.requests(), 2);  // one target call, one judge call
    const auto summary = nlohmann::json::parse(run.out);
    EXPECT_FALSE(summary.contains("accuracy"));
    EXPECT_EQ(summary["calls"], 1);  // target calls only
    EXPECT_EQ(summary["parse_failures"], 1);  // the fake judge said "no idea": unreadable
    std::ifstream rows(dir / "rows.jsonl");
    std::string line;
    std::getline(rows, line);
    EXPECT_NE(nlohmann::json::parse(line)["feedback"].get<std::string>().find("judge's reply could not be read"),
              std::string::npos);
    EXPECT_NE(run.err.find("1 judge calls"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace remask
