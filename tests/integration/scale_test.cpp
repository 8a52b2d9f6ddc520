// Past one machine, end to end (docs/scale.md): a sweep in two shards run through the Slurm
// script with its array variables set by hand, merged by `remask report`; an optimize run
// over three `remask serve` replicas of which one is killed and one stalled mid-run.

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "background_process.h"
#include "run_command.h"

namespace remask::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<json> read_jsonl(const fs::path& path) {
    std::vector<json> rows;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) rows.push_back(json::parse(line));
    return rows;
}

// The report without what depends on the clock: the wall time cells.
std::string without_times(const std::string& html) {
    static const std::regex wall(R"(wall time \(s\)</th><td>[^<]*)");
    return std::regex_replace(html, wall, "wall time (s)</th><td>");
}

std::string shell_quote(const std::string& text) { return "'" + text + "'"; }

// --- shards -------------------------------------------------------------------------------

// Four prompts, one config (local causal target, random-edit proposer: no DLM needed).
std::string write_sweep_config(const fs::path& dir) {
    const char* endings[] = {"Be brief.", "Answer in one word.", "Think about the tone.", "Ignore the plot."};
    for (int i = 0; i < 4; ++i) {
        std::string name = "p";  // (not "p" + …: GCC 12 warns falsely on that when inlined)
        name += std::to_string(i + 1) + ".txt";
        std::ofstream(dir / name) << "<keep>You label movie reviews.</keep> Say positive or negative. " << endings[i];
    }
    fs::path config = dir / "sweep.toml";
    std::ofstream(config) << "[task]\nname = \"sst2\"\ntrain_size = 6\nval_size = 4\ntest_size = 2\n"
                          << "[target]\nprovider = \"local\"\nmodel = \"" << fixture_path("qwen2-e2e")
                          << "\"\nmax_tokens = 3\nmax_in_flight = 1\n"
                          << "[optimizer]\nproposer = \"random-edit\"\ncandidates = 2\nminibatch = 3\n"
                          << "patience = 2\nprompt = \"p1.txt\"\n"
                          << "[budget]\ntarget_calls = 24\n[run]\nseed = 5\n";
    return config.string();
}

const char* kSweep = "prompt=p1.txt,p2.txt,p3.txt,p4.txt";

TEST(Scale, SlurmShardsOfASweepMergeIntoTheReportOfTheUnshardedSweep) {
    TempDir tmp;
    std::string config = write_sweep_config(tmp.dir);
    std::string bin = std::getenv("REMASK_BIN");
    std::string cd = "cd " + shell_quote(tmp.dir.string()) + " && ";
    int code = 0;
    // Separate caches: the sharded sweep must not be answered from the unsharded one's.
    std::string out = run_shell(cd + "REMASK_CACHE=whole.sqlite " + shell_quote(bin) + " optimize sweep.toml --sweep " +
                                    kSweep + " --run-dir whole/sweep --yes 2>&1",
                                &code);
    ASSERT_EQ(code, 0) << out;

    // Both array tasks at once, as Slurm would start them.
    std::string script = std::string(REMASK_SOURCE_DIR) + "/examples/scale/sweep.slurm";
    std::string env = "REMASK=" + shell_quote(bin) + " CONFIG=sweep.toml SWEEP=" + kSweep +
                      " RUN_DIR=sharded/sweep REMASK_CACHE=sharded.sqlite SLURM_ARRAY_TASK_COUNT=2";
    out = run_shell(cd + "{ (" + env + " SLURM_ARRAY_TASK_ID=0 bash " + shell_quote(script) +
                        " > task0.log 2>&1; echo $? > task0.rc) & (" + env + " SLURM_ARRAY_TASK_ID=1 bash " +
                        shell_quote(script) + " > task1.log 2>&1; echo $? > task1.rc) & wait; }",
                    &code);
    for (int task : {0, 1}) {
        std::string rc = read_text_file((tmp.dir / ("task" + std::to_string(task) + ".rc")).string());
        EXPECT_EQ(rc, "0\n") << read_text_file((tmp.dir / ("task" + std::to_string(task) + ".log")).string());
    }
    // Shard 1 of 2 ran the 1st and 3rd values, shard 2 the others.
    EXPECT_NE(read_text_file((tmp.dir / "task0.log").string()).find("prompt=p3.txt"), std::string::npos);
    EXPECT_EQ(read_text_file((tmp.dir / "task0.log").string()).find("prompt=p2.txt"), std::string::npos);

    CommandResult whole = run_remask({"report", (tmp.dir / "whole/sweep").string()});
    CommandResult merged = run_remask({"report", (tmp.dir / "sharded/sweep").string()});
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    ASSERT_EQ(merged.exit_code, 0) << merged.err;
    EXPECT_EQ(read_text_file((tmp.dir / "whole/sweep/sweep.json").string()),
              read_text_file((tmp.dir / "sharded/sweep/sweep.json").string()));
    std::string whole_html = without_times(read_text_file((tmp.dir / "whole/sweep/report.html").string()));
    std::string merged_html = without_times(read_text_file((tmp.dir / "sharded/sweep/report.html").string()));
    EXPECT_NE(whole_html.find("p4.txt"), std::string::npos);
    EXPECT_TRUE(whole_html == merged_html) << "the merged report differs from the unsharded one";
    for (const char* sub : {"prompt=p1.txt", "prompt=p2.txt", "prompt=p3.txt", "prompt=p4.txt"})
        EXPECT_EQ(read_text_file((tmp.dir / "whole/sweep" / sub / "candidates.jsonl").string()),
                  read_text_file((tmp.dir / "sharded/sweep" / sub / "candidates.jsonl").string()))
            << sub;

    // A sub-run that never started and one that did not finish are named; the rest is merged.
    fs::remove_all(tmp.dir / "sharded/sweep/prompt=p4.txt");
    fs::remove(tmp.dir / "sharded/sweep/prompt=p2.txt/summary.json");
    CommandResult partial = run_remask({"report", (tmp.dir / "sharded/sweep").string()});
    EXPECT_EQ(partial.exit_code, 1);
    EXPECT_NE(partial.err.find("prompt=p2.txt (not finished)"), std::string::npos) << partial.err;
    EXPECT_NE(partial.err.find("prompt=p4.txt (not started)"), std::string::npos) << partial.err;
    EXPECT_NE(read_text_file((tmp.dir / "sharded/sweep/report.html").string()).find("id=\"missing\""),
              std::string::npos);
}

TEST(Scale, ShardNeedsASweepAndASharedRunDirectory) {
    TempDir tmp;
    std::string config = write_sweep_config(tmp.dir);
    CommandResult no_sweep = run_remask({"optimize", config, "--shard", "1/2", "--run-dir", (tmp.dir / "r").string()});
    EXPECT_EQ(no_sweep.exit_code, 2);
    EXPECT_NE(no_sweep.err.find("--sweep"), std::string::npos) << no_sweep.err;
    CommandResult bad = run_remask({"optimize", config, "--sweep", kSweep, "--shard", "3/2", "--run-dir",
                                    (tmp.dir / "r").string()});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("1 <= I <= N"), std::string::npos) << bad.err;
    CommandResult no_dir = run_remask({"optimize", config, "--sweep", kSweep, "--shard", "1/2"});
    EXPECT_EQ(no_dir.exit_code, 2);
    EXPECT_NE(no_dir.err.find("--run-dir"), std::string::npos) << no_dir.err;
    EXPECT_FALSE(fs::exists(tmp.dir / "r"));
}

// Array tasks start together: a shard may find the folder another one is still making.
TEST(Scale, AShardAcceptsTheSweepFolderASiblingIsStillMaking) {
    TempDir tmp;
    std::string config = write_sweep_config(tmp.dir);
    fs::path top = tmp.dir / "sweep";
    auto dry_shard = [&] {
        return run_remask({"optimize", config, "--sweep", kSweep, "--shard", "2/2", "--run-dir", top.string(),
                           "--dry-run"});
    };
    fs::create_directories(top / "prompt=p1.txt");  // a sibling's sub-run, before its sweep.json
    std::ofstream(top / "sweep.json.4242.tmp") << "{";
    CommandResult half_made = dry_shard();
    EXPECT_EQ(half_made.exit_code, 0) << half_made.err;

    std::ofstream(top / "events.jsonl") << "";  // not this sweep's
    CommandResult foreign = dry_shard();
    EXPECT_EQ(foreign.exit_code, 2);
    EXPECT_NE(foreign.err.find("holds another run or sweep"), std::string::npos) << foreign.err;

    fs::remove(top / "events.jsonl");
    std::ofstream(top / "sweep.json") << R"({"runs": ["other"]})";
    CommandResult other_sweep = dry_shard();
    EXPECT_EQ(other_sweep.exit_code, 2);
    EXPECT_NE(other_sweep.err.find("holds another run or sweep"), std::string::npos) << other_sweep.err;
}

// --- replicas -----------------------------------------------------------------------------

std::string write_replica_config(const fs::path& dir, const std::string& name, const std::vector<int>& ports) {
    fs::path prompt = dir / "prompt.txt";
    std::ofstream(prompt) << "<keep>You label movie reviews.</keep> Say positive or negative, one word, "
                             "nothing else. Be careful with sarcasm.";
    std::string urls;
    for (int port : ports) {
        if (!urls.empty()) urls += ", ";
        urls += "\"http://127.0.0.1:" + std::to_string(port) + "\"";
    }
    fs::path config = dir / (name + ".toml");
    std::ofstream(config) << "[task]\nname = \"sst2\"\ntrain_size = 6\nval_size = 4\ntest_size = 2\n"
                          << "[target]\nprovider = \"local\"\nmodel = \"" << fixture_path("qwen2-e2e")
                          << "\"\nmax_tokens = 3\nmax_in_flight = 1\n"
                          << "[dlm]\nurl = [" << urls << "]\ntimeout_s = 2\nsampler = \"maskgit_plus\"\nsteps = 3\n"
                          << "[optimizer]\nproposer = \"dlm\"\ncandidates = 2\nminibatch = 3\nslack = 1\n"
                          << "patience = 0\nprompt = \"" << prompt.string() << "\"\n"
                          << "[budget]\ntarget_calls = 60\n"
                          << "[run]\nseed = 3\ncache = \"" << (dir / (name + ".sqlite")).string() << "\"\n";
    return config.string();
}

std::vector<json> proposals_of(const fs::path& run) {
    std::vector<json> out;
    for (const json& e : read_jsonl(run / "events.jsonl"))
        if (e.value("event", "") == "proposal") out.push_back(e);
    return out;
}

std::vector<std::string> candidate_lines(const fs::path& run) {
    std::vector<std::string> lines;
    for (json c : read_jsonl(run / "candidates.jsonl")) lines.push_back(c.dump());
    return lines;
}

TEST(Scale, RunSurvivesAKilledAndAStalledDlmReplicaWithTheSameResult) {
    BackgroundRemask a({"serve", "--model", fixture_path("llada-e2e")});
    BackgroundRemask b({"serve", "--model", fixture_path("llada-e2e")});
    BackgroundRemask c({"serve", "--model", fixture_path("llada-e2e")});
    TempDir tmp;

    // The reference: one healthy replica.
    fs::path reference = tmp.dir / "reference";
    CommandResult one = run_remask({"optimize", write_replica_config(tmp.dir, "one", {c.port()}), "--yes",
                                    "--run-dir", reference.string()});
    ASSERT_EQ(one.exit_code, 0) << one.err;

    // Three replicas; after the first proposal, a is killed and b stalled (SIGSTOP).
    fs::path run = tmp.dir / "three";
    std::string config = write_replica_config(tmp.dir, "three", {a.port(), b.port(), c.port()});
    const char* bin = std::getenv("REMASK_BIN");
    std::string log = (tmp.dir / "three.log").string();
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fd, 2);
        execl(bin, bin, "optimize", config.c_str(), "--yes", "--run-dir", run.string().c_str(), (char*)nullptr);
        _exit(127);
    }
    int status = 0;
    bool struck = false;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (!struck && fs::exists(run / "events.jsonl") &&
            read_text_file((run / "events.jsonl").string()).find("\"event\":\"proposal\"") != std::string::npos) {
            a.signal(SIGKILL);
            b.signal(SIGSTOP);
            struck = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    b.signal(SIGCONT);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_text_file(log);
    ASSERT_TRUE(struck) << "the run ended before its first proposal";

    // The same search: candidates, scores and best prompt as with one healthy replica.
    EXPECT_EQ(candidate_lines(run), candidate_lines(reference));
    EXPECT_EQ(read_text_file((run / "best_prompt.txt").string()), read_text_file((reference / "best_prompt.txt").string()));
    json summary = json::parse(read_text_file((run / "summary.json").string()));
    json expected = json::parse(read_text_file((reference / "summary.json").string()));
    EXPECT_EQ(summary["best"], expected["best"]);
    EXPECT_EQ(summary["dlm_forwards"], expected["dlm_forwards"]) << "failed attempts must not be counted";

    // One proposal event per iteration, as in the reference: no infill lost or doubled.
    std::vector<json> got = proposals_of(run), want = proposals_of(reference);
    ASSERT_EQ(got.size(), want.size());
    ASSERT_GE(got.size(), 2u) << "the chaos needs proposals after the first";
    int64_t retried = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i]["iteration"], want[i]["iteration"]);
        EXPECT_EQ(got[i]["children"], want[i]["children"]);
        EXPECT_EQ(got[i]["spend"], want[i]["spend"]);
        retried += got[i]["detail"].value("dlm_attempts", 1) > 1;
    }
    EXPECT_GE(retried, 1) << "no request met the dead or stalled replica";
    const std::string c_url = "http://127.0.0.1:" + std::to_string(c.port());
    EXPECT_EQ(got.back()["detail"].value("dlm_replica", ""), c_url) << "only c was healthy at the end";
}

}  // namespace
}  // namespace remask::testing
