// `remask eval` and `remask optimize` with a user's scorer (webhook and exec) end to end:
// the real binary against a fake chat server on loopback that echoes the last user turn
// (adding "banana" when the system prompt asks for it) and rewrites prompts on request.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "fake_scorer_server.h"
#include "temp_dir.h"

namespace remask {
namespace {

using nlohmann::json;
using testing::FakeScorerServer;
using testing::fresh_dir;
using testing::ScorerFault;
using testing::write_file;

// Target: "echo: <last user turn>", plus " banana" when the system prompt mentions banana.
// Rewriter (ar-rewrite asks for <prompt>...</prompt>): a prompt that asks for banana.
class EchoChat {
  public:
    EchoChat() {
        server_.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(R"({"object": "list", "data": [{"id": "echo", "object": "model"}]})",
                            "application/json");
        });
        server_.Post("/v1/chat/completions", [this](const httplib::Request& req,
                                                    httplib::Response& res) {
            const auto body = json::parse(req.body);
            const auto& messages = body["messages"];
            std::string system =
                messages[0]["role"] == "system" ? messages[0]["content"].get<std::string>() : "";
            std::string reply;
            if (req.body.find("<prompt>") != std::string::npos) {
                reply = "<prompt>Answer, and always mention banana.</prompt>";
            } else {
                reply = "echo: " + messages.back()["content"].get<std::string>();
                if (system.find("banana") != std::string::npos) reply += " banana";
                std::lock_guard<std::mutex> lock(mutex_);
                last_target_messages_ = messages;
            }
            const json answer = {
                {"id", "c"},
                {"object", "chat.completion"},
                {"model", "echo"},
                {"choices",
                 {{{"index", 0},
                   {"message", {{"role", "assistant"}, {"content", reply}}},
                   {"finish_reason", "stop"}}}},
                {"usage", {{"prompt_tokens", 10}, {"completion_tokens", 3}, {"total_tokens", 13}}}};
            res.set_content(answer.dump(), "application/json");
        });
        server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::yield();
    }
    ~EchoChat() {
        server_.stop();
        thread_.join();
    }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
    json last_target_messages() {
        std::lock_guard<std::mutex> lock(mutex_);
        return last_target_messages_;
    }

  private:
    httplib::Server server_;
    std::mutex mutex_;
    json last_target_messages_;
    int port_ = 0;
    std::thread thread_;
};

std::string scorer_slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

struct ScorerCommandRun {
    int exit_code;
    std::string out;
    std::string err;
};

ScorerCommandRun run_scorer_remask(const std::filesystem::path& dir, const std::string& args) {
    const char* bin = std::getenv("REMASK_BIN");
    if (!bin) return {-1, "", "REMASK_BIN is not set (run through ctest)"};
    const std::string command = "cd '" + dir.string() + "' && REMASK_CACHE='" +
                                (dir / "calls.sqlite").string() + "' OPENAI_API_KEY= '" + bin +
                                "' " + args + " > out.txt 2> err.txt";
    const int status = std::system(command.c_str());
    return {WEXITSTATUS(status), scorer_slurp(dir / "out.txt"), scorer_slurp(dir / "err.txt")};
}

// Ten questions without "expected"; w (the score of an answer without the word) ≤ 0.2.
const double kPartial[10] = {0, 0.1, 0.2, 0.05, 0.15, 0, 0.2, 0.1, 0, 0.1};

void write_dataset(const std::filesystem::path& dir) {
    std::string lines;
    for (int i = 0; i < 10; ++i)
        lines += json{{"id", "q" + std::to_string(i)},
                      {"input", "question " + std::to_string(i)},
                      {"w", kPartial[i]}}
                     .dump() +
                 "\n";
    write_file(dir / "data.jsonl", lines);
    write_file(dir / "prompt.txt", "Answer the question.");
}

std::string scorer_table(const std::string& kind, const std::filesystem::path& dir,
                         const FakeScorerServer& server) {
    if (kind == "webhook")
        return "[scorer]\nurl = \"" + server.url() + "\"\ntimeout_s = 2\nmax_retries = 1\n";
    write_file(dir / "score.py", testing::word_scorer_script("banana"));
    return "[scorer]\ncommand = [\"python3\", \"score.py\"]\ntimeout_s = 5\nmax_retries = "
           "1\nmax_in_flight = 2\n";
}

std::string config(const std::string& kind, const std::filesystem::path& dir, const EchoChat& chat,
                   const FakeScorerServer& server) {
    return write_file(
        dir / "run.toml",
        "[task]\nname = \"jsonl\"\ndata = \"data.jsonl\"\nmetric = \"" + kind +
            "\"\ntrain_size = 4\nval_size = 10\ntest_size = 0\n"
            "[target]\nbase_url = \"" +
            chat.base_url() +
            "\"\nmodel = \"echo\"\nmax_in_flight = 4\n"
            "[rewriter]\nbase_url = \"" +
            chat.base_url() + "\"\nmodel = \"echo\"\n" + scorer_table(kind, dir, server) +
            "[optimizer]\nproposer = \"ar-rewrite\"\ncandidates = 1\nminibatch = 4\npatience = 2\n"
            "prompt = \"prompt.txt\"\n"
            "[budget]\ntarget_calls = 80\nwall_s = 120\n"
            "[run]\ncache = \"" +
            (dir / "calls.sqlite").string() + "\"\n");
}

class ScorerCommand : public ::testing::TestWithParam<std::string> {};

TEST_P(ScorerCommand, EvalGivesExactlyTheScorersScores) {
    const auto dir = fresh_dir();
    EchoChat chat;
    FakeScorerServer server("banana");
    write_dataset(dir);
    config(GetParam(), dir, chat, server);
    const ScorerCommandRun run =
        run_scorer_remask(dir, "eval --config run.toml --prompt prompt.txt --out rows.jsonl");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    std::ifstream rows(dir / "rows.jsonl");
    std::string line;
    int n = 0;
    while (std::getline(rows, line)) {
        const json row = json::parse(line);
        const int i = std::stoi(row["id"].get<std::string>().substr(1));
        EXPECT_EQ(row["score"].get<double>(), kPartial[i]) << line;
        EXPECT_EQ(row["feedback"], "lacks banana");
        ++n;
    }
    EXPECT_EQ(n, 10);
    EXPECT_NE(run.out.find("scorer calls 10 (+0 from cache)"), std::string::npos) << run.out;
    const ScorerCommandRun again = run_scorer_remask(dir, "eval --config run.toml --prompt prompt.txt");
    EXPECT_NE(again.out.find("scorer calls 0 (+10 from cache)"), std::string::npos) << again.out;
}

TEST_P(ScorerCommand, OptimizeWithARewriterThatAddsTheWordRaisesValidation) {
    const auto dir = fresh_dir();
    EchoChat chat;
    FakeScorerServer server("banana");
    write_dataset(dir);
    config(GetParam(), dir, chat, server);
    const ScorerCommandRun run = run_scorer_remask(dir, "optimize run.toml --yes --run-dir run");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json summary = json::parse(scorer_slurp(dir / "run" / "summary.json"));
    EXPECT_LE(summary["initial"]["val"].get<double>(), 0.2);
    EXPECT_GE(summary["best"]["val"].get<double>(), 0.8);
    EXPECT_GT(summary["calls"]["scorer"].get<int>(), 0);
    EXPECT_NE(scorer_slurp(dir / "run" / "report.html").find("scorer calls"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Kinds, ScorerCommand, ::testing::Values("webhook", "exec"),
                         [](const auto& info) { return std::string(info.param); });

TEST(ScorerCommandFaults, AFailingScorerStopsWithOneLineAndResumeContinues) {
    const auto dir = fresh_dir();
    EchoChat chat;
    FakeScorerServer server("banana");
    write_dataset(dir);
    config("webhook", dir, chat, server);
    // q3 cannot be scored at all: eval stops with one line.
    server.set_fault_plan([](const json& request, int) {
        return testing::example_id(request) == "q3" ? ScorerFault::status_500 : ScorerFault::none;
    });
    const ScorerCommandRun eval = run_scorer_remask(dir, "eval --config run.toml --prompt prompt.txt");
    EXPECT_EQ(eval.exit_code, 1);
    EXPECT_NE(eval.err.find("remask: error: scorer " + server.url() +
                            ": example q3: HTTP status 500 (after 2 attempts)"),
              std::string::npos)
        << eval.err;

    server.set_fault_plan([](const json& request, int) {
        const bool rewritten =
            request["output"].get<std::string>().find("banana") != std::string::npos;
        return testing::example_id(request) == "q3" && rewritten ? ScorerFault::status_500
                                                                 : ScorerFault::none;
    });
    // Only the rewritten prompt's answer to q3 cannot be scored: the run stops mid-way.
    const ScorerCommandRun broken = run_scorer_remask(dir, "optimize run.toml --yes --run-dir run");
    EXPECT_EQ(broken.exit_code, 1) << broken.err;
    EXPECT_NE(broken.err.find("example q3"), std::string::npos) << broken.err;
    const int scored_before = server.requests();
    EXPECT_TRUE(std::filesystem::exists(dir / "run" / "events.jsonl"));

    server.set_fault_plan(nullptr);
    const ScorerCommandRun resumed = run_scorer_remask(dir, "optimize --resume run --yes");
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    const json summary = json::parse(scorer_slurp(dir / "run" / "summary.json"));
    EXPECT_GE(summary["best"]["val"].get<double>(), 0.8);
    EXPECT_LT(server.requests() - scored_before, scored_before)
        << "finished scores came from the cache";
}

TEST(ScorerCommandFaults, AnExecScorerPrintingGarbageIsOneLine) {
    const auto dir = fresh_dir();
    EchoChat chat;
    FakeScorerServer server("banana");
    write_dataset(dir);
    write_file(dir / "data.jsonl", R"({"id": "g1", "input": "ALWAYS-GARBAGE"})"
                                   "\n");
    config("exec", dir, chat, server);
    const ScorerCommandRun eval = run_scorer_remask(dir, "eval --config run.toml --prompt prompt.txt");
    EXPECT_EQ(eval.exit_code, 1);
    EXPECT_NE(eval.err.find("example g1: the reply is not JSON"), std::string::npos) << eval.err;
    EXPECT_NE(eval.err.find("scorer["), std::string::npos)
        << "the child's stderr is in the log: " << eval.err;
}

// SIGKILL mid-eval (from the scorer's handler of the 30th request): every score the scorer
// had answered is committed, but for those still on their way in the 4 eval workers, so the
// rerun asks the scorer only for the rest. Scores are committed one batch of concurrent
// stores at a time, never deferred past the score's return.
TEST(ScorerCommandFaults, AKilledEvalLosesNoAnsweredScore) {
    constexpr int kExamples = 40, kKillAt = 30, kWorkers = 4;  // [target] max_in_flight
    const auto dir = fresh_dir();
    EchoChat chat;
    FakeScorerServer server("banana");
    std::string lines;
    for (int i = 0; i < kExamples; ++i)
        lines +=
            json{{"id", "k" + std::to_string(i)}, {"input", "q" + std::to_string(i)}}.dump() + "\n";
    write_file(dir / "data.jsonl", lines);
    write_file(dir / "prompt.txt", "Answer the question.");
    config("webhook", dir, chat, server);

    std::atomic<pid_t> eval_pid{0};
    int seen = 0;  // the plan runs under the server's lock
    server.set_fault_plan([&](const json&, int) {
        if (++seen == kKillAt && eval_pid.load() > 0) kill(eval_pid.load(), SIGKILL);
        return ScorerFault::none;
    });
    const char* bin = std::getenv("REMASK_BIN");
    ASSERT_NE(bin, nullptr) << "REMASK_BIN is not set (run through ctest)";
    const std::string command =
        "cd '" + dir.string() + "' && REMASK_CACHE='" + (dir / "calls.sqlite").string() +
        "' OPENAI_API_KEY= exec '" + bin +
        "' eval --config run.toml --prompt prompt.txt --limit 40 > out.txt 2> err.txt";
    const pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    eval_pid = pid;  // the handler that kills runs only after eval has sent 29 requests
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "eval ended before it was killed: " << scorer_slurp(dir / "err.txt");

    server.set_fault_plan(nullptr);
    const int before = server.requests();
    const ScorerCommandRun rerun =
        run_scorer_remask(dir, "eval --config run.toml --prompt prompt.txt --limit 40");
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    const int asked = server.requests() - before;
    EXPECT_NE(rerun.out.find("scorer calls " + std::to_string(asked) + " (+" +
                             std::to_string(kExamples - asked) + " from cache)"),
              std::string::npos)
        << rerun.out;
    // 29 answered before the kill; at most kWorkers - 1 of them not yet back in remask.
    EXPECT_LE(asked, kExamples - (kKillAt - kWorkers)) << rerun.out;
}

TEST(MultiTurn, TheTargetAnswersTheLastUserTurnAndTheTraceShowsTheConversation) {
    const auto dir = fresh_dir();
    EchoChat chat;
    FakeScorerServer server("banana");
    write_file(dir / "prompt.txt", "Be kind.");
    const json turns = json::array({{{"role", "user"}, {"content", "hi there"}},
                                    {{"role", "assistant"}, {"content", "hello!"}},
                                    {{"role", "user"}, {"content", "now say banana"}}});
    write_file(dir / "data.jsonl", json{{"id", "m1"}, {"messages", turns}}.dump() + "\n");
    config("webhook", dir, chat, server);
    const ScorerCommandRun run =
        run_scorer_remask(dir, "eval --config run.toml --prompt prompt.txt --out rows.jsonl");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const json row = json::parse(scorer_slurp(dir / "rows.jsonl"));
    EXPECT_EQ(row["reply"], "echo: now say banana");
    EXPECT_EQ(row["score"].get<double>(), 1.0);
    EXPECT_EQ(row["input"], "[user] hi there / [assistant] hello! / [user] now say banana");
    const json sent = chat.last_target_messages();
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[0]["content"], "Be kind.");
    EXPECT_EQ(sent[2]["content"], "hello!");
    EXPECT_EQ(server.last_request()["context"]["vars"]["messages"], turns);
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

// `remask init` for each task, then `remask optimize --dry-run` on exactly what it printed
// (the tiny fixture models stand in for the target and the DLM).
struct InitCase {
    std::string name;
    std::string args;
};

void PrintTo(const InitCase& c, std::ostream* out) { *out << c.args; }

class InitCommand : public ::testing::TestWithParam<InitCase> {};

TEST_P(InitCommand, PrintsAConfigThatDryRunsAsPrinted) {
    const auto dir = fresh_dir();
    std::filesystem::copy(std::filesystem::path(REMASK_SOURCE_DIR) / "prompts", dir / "prompts");
    write_file(dir / "prompt.txt", "Answer the question.");
    write_file(dir / "with_expected.jsonl", R"({"input": "2+2?", "expected": "4"})"
                                            "\n"
                                            R"({"input": "3+3?", "expected": "6"})"
                                            "\n");
    write_file(dir / "turns.jsonl", R"({"messages": [{"role": "user", "content": "hi"}]})"
                                    "\n");
    const std::string fixtures = std::string(REMASK_BINARY_DIR) + "/fixtures";
    const ScorerCommandRun init =
        run_scorer_remask(dir, "init " + GetParam().args + " --target local:" + fixtures +
                            "/qwen2-e2e --dlm " + fixtures + "/dream-e2e");
    ASSERT_EQ(init.exit_code, 0) << init.err;
    EXPECT_NE(init.out.find("# "), std::string::npos) << "commented";
    write_file(dir / "printed.toml", init.out);
    const ScorerCommandRun dry = run_scorer_remask(dir, "optimize printed.toml --dry-run");
    EXPECT_EQ(dry.exit_code, 0) << init.out << "\n---\n" << dry.err << dry.out;
    EXPECT_FALSE(std::filesystem::exists(dir / "runs")) << "a dry run writes nothing";
}

INSTANTIATE_TEST_SUITE_P(
    Tasks, InitCommand,
    ::testing::Values(InitCase{"jsonl_contains", "--task jsonl --data with_expected.jsonl"},
                      InitCase{"jsonl_exec", "--task jsonl --data turns.jsonl"},
                      InitCase{"jsonl_webhook",
                               "--data turns.jsonl --scorer http://127.0.0.1:9/score"},
                      InitCase{"sst2", "--task sst2"}, InitCase{"sst5", "--task sst5"},
                      InitCase{"tau_retail", "--task tau-retail"}),
    [](const auto& info) { return info.param.name; });

TEST(InitCommand, BadArgumentsAreOneLine) {
    const auto dir = fresh_dir();
    ScorerCommandRun run = run_scorer_remask(dir, "init --task jsonl");
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("--data"), std::string::npos) << run.err;
    write_file(dir / "bare.jsonl", R"({"input": "x"})"
                                   "\n");
    run = run_scorer_remask(dir, "init --data bare.jsonl --metric exact");
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("no \"expected\""), std::string::npos) << run.err;
}

}  // namespace
}  // namespace remask

namespace remask {
namespace {

// The scorers of examples/scorers/ work as documented (exec mode; the Node one also as a webhook
// in docs/own-task.md).
TEST(ExampleScorers, PythonAndNodeScoreByTheWord) {
    const auto dir = fresh_dir();
    EchoChat chat;
    write_file(dir / "prompt.txt", "Repeat.");
    write_file(dir / "data.jsonl", R"({"id": "y", "input": "say banana"})"
                                   "\n"
                                   R"({"id": "n", "input": "say nothing"})"
                                   "\n");
    const std::string examples = std::string(REMASK_SOURCE_DIR) + "/examples/scorers/";
    for (const std::string program : {"python3\", \"" + examples + "contains_word.py",
                                      "node\", \"" + examples + "contains_word.mjs"}) {
        write_file(dir / "run.toml",
                   "[task]\nname = \"jsonl\"\ndata = \"data.jsonl\"\nmetric = \"exec\"\n"
                   "[target]\nbase_url = \"" +
                       chat.base_url() +
                       "\"\nmodel = \"echo\"\n"
                       "[scorer]\ncommand = [\"" +
                       program + "\", \"banana\"]\ncache = false\n");
        const ScorerCommandRun run =
            run_scorer_remask(dir, "eval --config run.toml --prompt prompt.txt --out rows.jsonl");
        ASSERT_EQ(run.exit_code, 0) << program << ": " << run.err;
        std::ifstream rows(dir / "rows.jsonl");
        std::string line;
        std::map<std::string, double> scores;
        while (std::getline(rows, line))
            scores[json::parse(line)["id"]] = json::parse(line)["score"];
        EXPECT_EQ(scores, (std::map<std::string, double>{{"y", 1.0}, {"n", 0.0}})) << program;
    }
}

}  // namespace
}  // namespace remask
