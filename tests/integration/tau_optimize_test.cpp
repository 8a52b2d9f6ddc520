// `remask optimize` on τ-bench end to end. A scripted server (tau_scripted_server.h) plays
// the agent, the simulated user, the rewriter and /v1/infill: the agent acts only when its
// system prompt holds one sentence, and the proposers supply that sentence only when the
// traces they get report a missed action. So a working pipeline (episodes → traces →
// proposer → candidates → scores) must lift the reward from ~0 to ~1.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "background_process.h"
#include "run_command.h"
#include "tasks/tau/domain.h"
#include "tau_scripted_server.h"

namespace remask::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

struct TauConfig {
    std::string task = "tau-retail";
    std::string proposer = "ar-rewrite";
    std::string target_url;  // chat endpoint for the agent (and the user unless user_url)
    std::string user_url;    // "" = no [user] table
    std::string dlm_line;    // [dlm] url = ... | model = ...
    std::string extra_task;  // more [task] lines
    std::string extra_optimizer;
    std::string instructions = "Be helpful.";
    int target_calls = 400;
    int max_in_flight = 1;  // episodes (and agent requests) at once
};

std::string write_tau_config(const TempDir& tmp, const TauConfig& c) {
    fs::path prompt = tmp.dir / "instructions.txt";
    std::ofstream(prompt) << c.instructions;
    std::ostringstream text;
    text << "[task]\nname = \"" << c.task << "\"\n"
         << (c.extra_task.empty() ? "train_size = 6\nval_size = 5\ntest_size = 5\nmax_steps = 16\n"
                                  : c.extra_task)
         << "[target]\nbase_url = \"" << c.target_url
         << "\"\nmodel = \"fake-model\"\nmax_in_flight = " << c.max_in_flight << "\n"
         << "max_retries = 0\ntimeout_s = 60\nmax_tokens = 64\n";
    if (!c.user_url.empty())
        text << "[user]\nbase_url = \"" << c.user_url
             << "\"\nmodel = \"fake-model\"\nmax_retries = 0\n"
             << "price_input_per_mtok = 1.0\nprice_output_per_mtok = 2.0\n";
    text << "[rewriter]\nbase_url = \"" << c.target_url
         << "\"\nmodel = \"fake-model\"\nmax_retries = 0\n"
         << "[dlm]\n"
         << (c.dlm_line.empty() ? "url = \"http://127.0.0.1:9\"" : c.dlm_line) << "\nsteps = 2\n"
         << "[optimizer]\nproposer = \"" << c.proposer
         << "\"\ncandidates = 2\nminibatch = 3\npatience = 2\n"
         << "max_prompt_tokens = 4096\nprompt = \"" << prompt.string() << "\"\n"
         << c.extra_optimizer << "[budget]\ntarget_calls = " << c.target_calls << "\n"
         << "[run]\nseed = 1\ncache = \"" << (tmp.dir / "cache.sqlite").string() << "\"\n";
    fs::path config = tmp.dir / "run.toml";
    std::ofstream(config) << text.str();
    return config.string();
}

void replace_in_file(const std::string& path, const std::string& from, const std::string& to) {
    std::string text = read_text_file(path);
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(path) << text;
}

std::vector<json> read_lines(const fs::path& path) {
    std::vector<json> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(json::parse(line));
    return out;
}

// Target calls of the final test scoring (after the search, outside the cap).
int64_t test_phase_target_calls(const fs::path& run) {
    int64_t calls = 0;
    for (const json& e : read_lines(run / "events.jsonl"))
        if (e.value("event", "") == "eval" && e.value("phase", "") == "test")
            calls += e["spend"]["target"].get<int64_t>();
    return calls;
}

std::string policy_head(const std::string& domain) {
    std::string head = tau::load_tau_domain(domain).wiki;
    while (!head.empty() && head.back() == '\n') head.pop_back();
    return head + "\n\n## Instructions\n\n";
}

std::string rendered(const std::string& stored) {
    std::string out = stored;
    for (const char* marker : {"<keep>", "</keep>"})
        for (size_t at = out.find(marker); at != std::string::npos; at = out.find(marker))
            out.erase(at, std::string(marker).size());
    return out;
}

// trials > 1 also checks pass^k in the report and the per-trial rewards in the traces.
void expect_improves(const std::string& proposer, int trials) {
    ScriptedTauServer server;
    TempDir tmp;
    TauConfig c;
    c.proposer = proposer;
    c.extra_task = "train_size = 6\nval_size = 5\ntest_size = 5\nmax_steps = 16\ntrials = " +
                   std::to_string(trials) + "\n";
    c.target_calls = 400 * trials;
    c.max_in_flight = trials > 1 ? 4 : 1;  // concurrent episodes share the two models
    c.target_url = server.base_url();
    c.dlm_line = "url = \"" + server.root_url() + "\"";
    std::string config = write_tau_config(tmp, c);
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json summary = json::parse(read_text_file((run / "summary.json").string()));
    EXPECT_EQ(summary["task"], "tau-retail");
    EXPECT_LE(summary["initial"]["val"].get<double>(), 0.2) << summary.dump();
    EXPECT_GE(summary["best"]["val"].get<double>(), 0.8) << summary.dump();
    EXPECT_LE(summary["initial"]["test"].get<double>(), 0.2) << summary.dump();
    EXPECT_GE(summary["best"]["test"].get<double>(), 0.8) << summary.dump();
    EXPECT_NE(read_text_file((run / "best_prompt.txt").string()).find(ScriptedTauServer::kMagic),
              std::string::npos);
    // Calls: summary.json equals what the server answered; the search stays under the cap.
    EXPECT_EQ(summary["calls"]["target"].get<int>(), server.calls("agent"));
    EXPECT_EQ(summary["calls"]["user"].get<int>(), server.calls("user"));
    EXPECT_GT(server.calls("user"), 0);
    EXPECT_LE(server.calls("agent") - test_phase_target_calls(run), c.target_calls);
    if (proposer == "ar-rewrite") {
        EXPECT_EQ(summary["calls"]["rewriter"].get<int>(), server.calls("rewriter"));
    } else {
        EXPECT_GT(server.calls("infill"), 0);
    }

    // whole_prompt = false: the policy is byte-identical in every candidate, and every
    // proposer context (DLM infill context, rewriter prompt) holds it.
    const std::string head = policy_head("tau-retail");
    int candidates = 0;
    for (const json& candidate : read_lines(run / "candidates.jsonl")) {
        EXPECT_EQ(rendered(candidate["prompt"].get<std::string>()).compare(0, head.size(), head), 0)
            << candidate["id"];
        ++candidates;
    }
    EXPECT_GE(candidates, 2);
    const auto contexts = server.contexts(proposer == "dlm" ? "infill" : "rewriter");
    ASSERT_FALSE(contexts.empty());
    for (const std::string& context : contexts) {
        EXPECT_NE(context.find(head), std::string::npos);
        EXPECT_NE(context.find("User goal: "), std::string::npos)
            << "episodes reach the proposer as traces";
    }
    // The report has the τ section.
    std::string report = read_text_file((run / "report.html").string());
    EXPECT_NE(report.find("id=\"tau\""), std::string::npos);
    EXPECT_NE(report.find("An episode that changed"), std::string::npos);
    if (trials > 1) {
        EXPECT_NE(report.find("pass^k"), std::string::npos);
        EXPECT_NE(contexts.front().find("Rewards over " + std::to_string(trials) + " trials"),
                  std::string::npos);
    }
}

TEST(TauOptimize, ArRewriteLiftsTheRewardFromTheTraces) { expect_improves("ar-rewrite", 1); }
TEST(TauOptimize, DlmLiftsTheRewardFromTheTraces) { expect_improves("dlm", 2); }

// --sweep over the proposer runs both on τ and `remask report` merges them.
TEST(TauOptimize, SweepOverProposersAndReport) {
    ScriptedTauServer server;
    TempDir tmp;
    TauConfig c;
    c.target_url = server.base_url();
    c.dlm_line = "url = \"" + server.root_url() + "\"";
    fs::path run = tmp.dir / "sweep";
    CommandResult r = run_remask({"optimize", write_tau_config(tmp, c), "--yes", "--sweep",
                                  "proposer=ar-rewrite,dlm", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* name : {"proposer=ar-rewrite", "proposer=dlm"}) {
        json summary = json::parse(read_text_file((run / name / "summary.json").string()));
        EXPECT_GE(summary["best"]["val"].get<double>(), 0.8) << name;
    }
    CommandResult report = run_remask({"report", run.string()});
    ASSERT_EQ(report.exit_code, 0) << report.err;
    EXPECT_NE(read_text_file((run / "report.html").string()).find("id=\"tau-"), std::string::npos);
}

// Runs `remask optimize` in the background and SIGKILLs it once `due()` holds (polled), so
// it dies in the middle of an evaluation batch; false when it finished first.
bool run_and_kill(const std::vector<std::string>& args, const std::function<bool()>& due) {
    const char* bin = std::getenv("REMASK_BIN");
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        std::vector<char*> argv = {const_cast<char*>(bin)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(bin, argv.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (due()) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return false;
}

TEST(TauOptimize, KilledRunResumesWithTheSameResultAndPaysNoEpisodeTwice) {
    ScriptedTauServer reference_server;
    TempDir reference_dir;
    TauConfig c;
    c.target_url = reference_server.base_url();
    fs::path reference_run = reference_dir.dir / "run";
    CommandResult reference = run_remask({"optimize", write_tau_config(reference_dir, c), "--yes",
                                          "--run-dir", reference_run.string()});
    ASSERT_EQ(reference.exit_code, 0) << reference.err;
    const json reference_summary =
        json::parse(read_text_file((reference_run / "summary.json").string()));
    const int reference_agent = reference_server.calls("agent");
    const int reference_paid = reference_agent + reference_server.calls("user");
    ASSERT_GT(reference_agent, 20);

    // Killed after a quarter, a half and three quarters of the agent calls: inside a batch
    // of episodes, some of them finished and not yet journaled.
    for (int kill_at : {reference_agent / 4, reference_agent / 2, reference_agent * 3 / 4}) {
        ScriptedTauServer server;
        TempDir tmp;
        c.target_url = server.base_url();
        std::string config = write_tau_config(tmp, c);
        fs::path run = tmp.dir / "run";
        ASSERT_TRUE(run_and_kill({"optimize", config, "--yes", "--run-dir", run.string()}, [&] {
            return server.calls("agent") >= kill_at;
        })) << "finished before the kill";
        ASSERT_FALSE(fs::exists(run / "summary.json"));
        CommandResult resumed =
            fs::exists(run / "config.toml")
                ? run_remask({"optimize", "--yes", "--resume", run.string()})
                : run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
        ASSERT_EQ(resumed.exit_code, 0)
            << "killed at agent call " << kill_at << ": " << resumed.err;
        EXPECT_EQ(read_text_file((run / "best_prompt.txt").string()),
                  read_text_file((reference_run / "best_prompt.txt").string()));
        json summary = json::parse(read_text_file((run / "summary.json").string()));
        for (const char* which : {"initial", "best"})
            for (const char* split : {"val", "test"})
                EXPECT_EQ(summary[which][split], reference_summary[which][split])
                    << which << " " << split << " " << kill_at;
        EXPECT_EQ(summary["best"]["candidate"], reference_summary["best"]["candidate"]);
        // Finished episodes come back from the call cache; at most the one call in flight
        // at the kill (max_in_flight = 1) is sent twice.
        EXPECT_LE(server.calls("agent") + server.calls("user"), reference_paid + 1)
            << "killed at agent call " << kill_at;
        EXPECT_GE(server.calls("agent"), reference_agent) << "the resumed run did the rest";
    }
}

int count_error_lines(const std::string& err) {
    int n = 0;
    std::istringstream in(err);
    std::string line;
    while (std::getline(in, line)) n += line.rfind("remask: error: ", 0) == 0 ? 1 : 0;
    return n;
}

TEST(TauOptimize, TrialsZeroIsOneClearLine) {
    ScriptedTauServer server;
    TempDir tmp;
    TauConfig c;
    c.target_url = server.base_url();
    c.extra_task = "trials = 0\n";
    fs::path run = tmp.dir / "run";
    CommandResult r =
        run_remask({"optimize", write_tau_config(tmp, c), "--yes", "--run-dir", run.string()});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(count_error_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("trials"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(run));
}

TEST(TauOptimize, WholePromptNeedsAMaxPromptTokensThatFitsThePolicy) {
    ScriptedTauServer server;
    TempDir tmp;
    TauConfig c;
    c.target_url = server.base_url();
    c.extra_task = "whole_prompt = true\n";
    c.extra_optimizer = "";
    std::string config = write_tau_config(tmp, c);
    replace_in_file(config, "max_prompt_tokens = 4096", "max_prompt_tokens = 256");
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(count_error_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find("max_prompt_tokens"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("set max_prompt_tokens = "), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(run));
    EXPECT_EQ(server.calls("agent"), 0);
}

TEST(TauOptimize, FailingUserEndpointIsOneClearLineAndTheRunResumes) {
    ScriptedTauServer server;
    ScriptedTauServer user_server;
    user_server.fail_user_after(
        12);  // the initial validation (5 tasks, 2 turns) passes, then it fails
    TempDir tmp;
    TauConfig c;
    c.target_url = server.base_url();
    c.user_url = user_server.base_url();
    std::string config = write_tau_config(tmp, c);
    fs::path run = tmp.dir / "run";
    CommandResult failed = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
    EXPECT_EQ(failed.exit_code, 1) << failed.err;
    EXPECT_EQ(count_error_lines(failed.err), 1) << failed.err;
    EXPECT_NE(failed.err.find("[user]"), std::string::npos) << failed.err;
    ASSERT_TRUE(fs::exists(run / "checkpoint.json"));

    // Bad input on the way back (a config forced onto the run) is one line and changes nothing.
    const std::string checkpoint = read_text_file((run / "checkpoint.json").string());
    const std::string bad = (tmp.dir / "bad.toml").string();
    fs::copy_file(config, bad);
    replace_in_file(bad, "max_prompt_tokens = 4096", "max_prompt_tokens = 300");
    CommandResult refused =
        run_remask({"optimize", bad, "--yes", "--force", "--resume", run.string()});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_EQ(count_error_lines(refused.err), 1) << refused.err;
    EXPECT_NE(refused.err.find("max_prompt_tokens"), std::string::npos) << refused.err;
    replace_in_file(bad, "max_prompt_tokens = 300", "max_prompt_tokens = 4096");
    replace_in_file(bad, "max_steps = 16", "max_steps = 16\ntrials = 0");
    refused = run_remask({"optimize", bad, "--yes", "--force", "--resume", run.string()});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_EQ(count_error_lines(refused.err), 1) << refused.err;
    EXPECT_NE(refused.err.find("trials"), std::string::npos) << refused.err;
    EXPECT_EQ(read_text_file((run / "checkpoint.json").string()), checkpoint);

    user_server.fail_user_after(-1);
    CommandResult resumed = run_remask({"optimize", "--yes", "--resume", run.string()});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    json summary = json::parse(read_text_file((run / "summary.json").string()));
    EXPECT_GE(summary["best"]["val"].get<double>(), 0.8);
    // usd covers both kinds: agent (and rewriter) calls at [target] prices, user calls at [user]
    // prices (the scripted server reports 20 prompt and 5 completion tokens per call).
    const double expected_usd =
        (summary["calls"]["target"].get<int>() + summary["calls"]["rewriter"].get<int>()) *
            (20 * 0.15 + 5 * 0.60) / 1e6 +
        summary["calls"]["user"].get<int>() * (20 * 1.0 + 5 * 2.0) / 1e6;
    EXPECT_NEAR(summary["usd"].get<double>(), expected_usd, 1e-9) << summary.dump();
}

// Against `remask serve` with a tiny causal fixture: scores are noise (the model never
// calls a tool and the user never stops), what is checked is a complete run directory.
void expect_runs_against_serve(const std::string& task) {
    BackgroundRemask serve({"serve", "--model", fixture_path("qwen2-e2e")});
    TempDir tmp;
    TauConfig c;
    c.task = task;
    c.proposer = "dlm";
    c.target_url = serve.base_url();
    c.dlm_line = "model = \"" + fixture_path("dream-e2e") + "\"\nsampler = \"maskgit_plus\"";
    c.extra_task = "train_size = 2\nval_size = 2\ntest_size = 2\nmax_steps = 3\n";
    c.extra_optimizer = "";
    c.target_calls = 40;
    std::string config = write_tau_config(tmp, c);
    replace_in_file(config, "max_tokens = 64", "max_tokens = 4");
    replace_in_file(config, "candidates = 2\nminibatch = 3\npatience = 2",
                    "candidates = 1\nminibatch = 1\npatience = 1");
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* file : {"config.toml", "events.jsonl", "candidates.jsonl", "checkpoint.json",
                             "best_prompt.txt", "summary.json", "report.html"})
        EXPECT_TRUE(fs::exists(run / file)) << file;
    json summary = json::parse(read_text_file((run / "summary.json").string()));
    EXPECT_EQ(summary["task"], task);
    EXPECT_TRUE(summary["best"]["val"].is_number());
    EXPECT_TRUE(summary["best"]["test"].is_number());
    EXPECT_GT(summary["calls"]["user"].get<int>(), 0);
    EXPECT_EQ(
        rendered(read_text_file((run / "best_prompt.txt").string())).rfind(policy_head(task), 0),
        0u);
    EXPECT_NE(read_text_file((run / "report.html").string()).find("id=\"tau\""), std::string::npos);
    CommandResult report = run_remask({"report", run.string()});
    EXPECT_EQ(report.exit_code, 0) << report.err;
}

TEST(TauOptimize, RetailRunsAgainstRemaskServe) { expect_runs_against_serve("tau-retail"); }
TEST(TauOptimize, AirlineRunsAgainstRemaskServe) { expect_runs_against_serve("tau-airline"); }

}  // namespace
}  // namespace remask::testing
