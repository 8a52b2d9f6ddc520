// `remask optimize` end to end on the tiny fixtures: a local causal target, the DLM
// in-process and through `remask serve`. Random weights make the scores noise; what is
// checked is the pipeline: run directory files, budget, `<keep>` text, reports.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <algorithm>
#include <chrono>
#include <iterator>
#include <thread>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "background_process.h"
#include "run_command.h"

namespace remask::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;



// A config with absolute paths; dlm_line is `model = "..."` or `url = "..."`.
std::string write_config(const TempDir& tmp, const std::string& dlm_line, const std::string& proposer) {
    fs::path prompt = tmp.dir / "prompt.txt";
    std::ofstream(prompt) << "<keep>You label movie reviews.</keep> Say positive or negative, one word, "
                             "nothing else. Be careful with sarcasm.";
    fs::path config = tmp.dir / "run.toml";
    std::ofstream(config) << "[task]\nname = \"sst2\"\ntrain_size = 6\nval_size = 4\ntest_size = 4\n"
                          << "[target]\nprovider = \"local\"\nmodel = \"" << fixture_path("qwen2-e2e")
                          << "\"\nmax_tokens = 3\nmax_in_flight = 1\n"
                          << "[dlm]\n" << dlm_line << "\nsampler = \"maskgit_plus\"\nsteps = 3\n"
                          << "[optimizer]\nproposer = \"" << proposer << "\"\ncandidates = 2\nminibatch = 3\n"
                          << "slack = 1\npatience = 2\nprompt = \"" << prompt.string() << "\"\n"
                          << "[budget]\ntarget_calls = 30\n"
                          << "[run]\nseed = 3\ncache = \"" << (tmp.dir / "cache.sqlite").string() << "\"\n";
    return config.string();
}

void expect_complete_run(const fs::path& run) {
    for (const char* file : {"config.toml", "events.jsonl", "candidates.jsonl", "checkpoint.json",
                             "best_prompt.txt", "summary.json", "report.html"})
        EXPECT_TRUE(fs::exists(run / file)) << file;
    json summary = json::parse(read_text_file((run / "summary.json").string()));
    EXPECT_EQ(summary["task"], "sst2");
    EXPECT_LE(summary["calls"]["target"].get<int>(), 30 + 2 * 4) << "cap 30, plus test scoring of 2 prompts";
    EXPECT_TRUE(summary["best"]["val"].is_number());
    EXPECT_TRUE(fs::exists(run / "best_prompt.txt"));
    EXPECT_NE(read_text_file((run / "best_prompt.txt").string()).find("You label movie reviews."), std::string::npos);
    // Every candidate keeps the protected text.
    std::ifstream candidates(run / "candidates.jsonl");
    std::string line;
    int n = 0;
    while (std::getline(candidates, line)) {
        json candidate = json::parse(line);
        EXPECT_NE(candidate["prompt"].get<std::string>().find("<keep>You label movie reviews.</keep>"), std::string::npos)
            << line;
        ++n;
    }
    EXPECT_GE(n, 1);
    EXPECT_NE(read_text_file((run / "report.html").string()).find("lineage"), std::string::npos);
}

TEST(Optimize, DlmProposerRunsEndToEndInProcess) {
    TempDir tmp;
    std::string config = write_config(tmp, "model = \"" + fixture_path("dream-e2e") + "\"", "dlm");
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_complete_run(run);
}

// The server wants a key (--api-key-env); [dlm] api_key_env gives the optimizer's remote
// infiller the same one.
TEST(Optimize, DlmProposerRunsThroughAKeyedRemaskServe) {
    TempDir tmp;
    ::setenv("REMASK_TEST_SERVE_KEY", "key-for-the-optimize-test", 1);
    BackgroundRemask server({"serve", "--model", fixture_path("llada-e2e"), "--api-key-env", "REMASK_TEST_SERVE_KEY"});
    const std::string url = "url = \"http://127.0.0.1:" + std::to_string(server.port()) + "\"";
    std::string config = write_config(tmp, url + "\napi_key_env = \"REMASK_TEST_SERVE_KEY\"", "dlm");
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_complete_run(run);
    EXPECT_EQ(read_text_file((run / "config.toml").string()).find("key-for-the-optimize-test"), std::string::npos)
        << "the key itself is never written to the run directory";

    // Without the key: one clear line naming the status and the setting.
    TempDir keyless;
    config = write_config(keyless, url, "dlm");
    r = run_remask({"optimize", config, "--yes", "--run-dir", (keyless.dir / "run").string()});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("remask: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("HTTP 401"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("api_key_env"), std::string::npos) << r.err;
}

TEST(Optimize, DryRunPrintsTheProjectionAndWritesNothing) {
    TempDir tmp;
    std::string config = write_config(tmp, "model = \"" + fixture_path("dream-e2e") + "\"", "dlm");
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config, "--dry-run", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE((r.out + r.err).find("target calls"), std::string::npos) << r.out << r.err;
    EXPECT_FALSE(fs::exists(run));
}

}  // namespace
}  // namespace remask::testing

namespace remask::testing {
namespace {

size_t count_lines(const fs::path& path) {
    std::ifstream in(path);
    return static_cast<size_t>(std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// Runs `remask optimize` in the background and SIGKILLs it once its events.jsonl has
// `events` lines (or it has finished by itself).
void run_and_kill(const std::vector<std::string>& args, const fs::path& events_file, size_t events) {
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
        if (count_lines(events_file) >= events) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

TEST(Optimize, KilledAndResumedRunEndsWithTheSameBestPrompt) {
    TempDir reference_dir;
    std::string reference_config = write_config(reference_dir, "model = \"" + fixture_path("dream-e2e") + "\"", "dlm");
    fs::path reference_run = reference_dir.dir / "run";
    CommandResult reference = run_remask({"optimize", reference_config, "--yes", "--run-dir", reference_run.string()});
    ASSERT_EQ(reference.exit_code, 0) << reference.err;
    json reference_summary = json::parse(read_text_file((reference_run / "summary.json").string()));

    const size_t total_events = count_lines(reference_run / "events.jsonl");
    ASSERT_GT(total_events, 6u);
    for (size_t kill_at : {size_t{2}, total_events / 2, total_events - 2}) {
        TempDir tmp;
        std::string config = write_config(tmp, "model = \"" + fixture_path("dream-e2e") + "\"", "dlm");
        fs::path run = tmp.dir / "run";
        run_and_kill({"optimize", config, "--yes", "--run-dir", run.string()}, run / "events.jsonl", kill_at);
        CommandResult resumed = fs::exists(run / "config.toml")
                                    ? run_remask({"optimize", config, "--yes", "--resume", run.string()})
                                    : run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
        ASSERT_EQ(resumed.exit_code, 0) << "killed at event " << kill_at << ": " << resumed.err;
        EXPECT_EQ(read_text_file((run / "best_prompt.txt").string()), read_text_file((reference_run / "best_prompt.txt").string())) << kill_at;
        json summary = json::parse(read_text_file((run / "summary.json").string()));
        EXPECT_EQ(summary["best"]["val"], reference_summary["best"]["val"]);
        EXPECT_LE(summary["calls"]["target"].get<int>(), reference_summary["calls"]["target"].get<int>() + 1)
            << "a resumed run repeats at most the calls in flight (max_in_flight = 1)";
    }
}

}  // namespace
}  // namespace remask::testing

namespace remask::testing {
namespace {

// report.html as a browser renders it: headless Chromium (Debian `chromium`) dumps the DOM
// after layout; the screenshot is kept in the build folder for people to look at.
TEST(Optimize, ReportRendersInHeadlessChromium) {
    if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
    TempDir tmp;
    std::string config = write_config(tmp, "model = \"" + fixture_path("dream-e2e") + "\"", "dlm");
    fs::path run = tmp.dir / "run";
    CommandResult r = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string flags =
        "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
        "--disable-component-update --disable-sync --user-data-dir='" + (tmp.dir / "chrome").string() + "' ";
    int code = 0;
    std::string dom = run_shell("timeout 120 /usr/bin/chromium " + flags + "--dump-dom 'file://" +
                                    (run / "report.html").string() + "' 2>/dev/null",
                                &code);
    ASSERT_EQ(code, 0);
    for (const char* id : {"id=\"chart\"", "id=\"lineage\"", "id=\"diffs\"", "id=\"examples\"", "id=\"cost\""})
        EXPECT_NE(dom.find(id), std::string::npos) << id;
    EXPECT_NE(dom.find("<svg"), std::string::npos) << "the chart is inline SVG";
    std::string screenshot = std::string(REMASK_BINARY_DIR) + "/report-screenshot.png";
    run_shell("timeout 120 /usr/bin/chromium " + flags + "--window-size=1200,1600 --screenshot='" + screenshot +
                  "' 'file://" + (run / "report.html").string() + "' >/dev/null 2>&1",
              &code);
    EXPECT_EQ(code, 0);
    EXPECT_TRUE(fs::exists(screenshot));
}

}  // namespace
}  // namespace remask::testing
