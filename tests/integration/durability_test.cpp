// A run survives a full disk and a kill at any point of a checkpoint write:
//  - under a file size limit (RLIMIT_FSIZE via `ulimit -f`, the portable stand-in for a
//    full disk) `remask optimize` stops with one clear line, the previous checkpoint stays
//    whole, no temp file is left, and `--resume` completes once the limit is gone, paying
//    again only for the evaluation whose journal line could not be written;
//  - killed between the journal sync and the checkpoint rename (REMASK_TEST_CRASH_AT,
//    optimize/crash_point.h), a resumed run counts exactly the spend of an uninterrupted one.

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "llm/sqlite_call_cache.h"
#include "run_command.h"

namespace remask::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// A small local run: the causal e2e fixture as target, the random-edit proposer (no DLM),
// so every target call goes through the call cache in `tmp`.
std::string write_config(const TempDir& tmp) {
    fs::path prompt = tmp.dir / "prompt.txt";
    std::ofstream(prompt) << "<keep>You label movie reviews.</keep> Say positive or negative, one word, "
                             "nothing else. Be careful with sarcasm.";
    fs::path config = tmp.dir / "run.toml";
    std::ofstream(config) << "[task]\nname = \"sst2\"\ntrain_size = 6\nval_size = 4\ntest_size = 4\n"
                          << "[target]\nprovider = \"local\"\nmodel = \"" << fixture_path("qwen2-e2e")
                          << "\"\nmax_tokens = 3\nmax_in_flight = 1\n"
                          << "[optimizer]\nproposer = \"random-edit\"\ncandidates = 2\nminibatch = 3\n"
                          << "slack = 1\npatience = 3\nprompt = \"" << prompt.string() << "\"\n"
                          << "[budget]\ntarget_calls = 40\n"
                          << "[run]\nseed = 5\ncache = \"" << (tmp.dir / "cache.sqlite").string() << "\"\n";
    return config.string();
}

struct Outcome {
    std::string best_prompt;
    json summary;
};

Outcome outcome_of(const fs::path& run) {
    return {read_text_file((run / "best_prompt.txt").string()),
            json::parse(read_text_file((run / "summary.json").string()))};
}

// One uninterrupted run, shared by the tests.
const Outcome& reference() {
    static const Outcome outcome = [] {
        TempDir tmp;
        fs::path run = tmp.dir / "run";
        CommandResult r = run_remask({"optimize", write_config(tmp), "--yes", "--run-dir", run.string()});
        if (r.exit_code != 0) throw std::runtime_error("reference run failed: " + r.err);
        return outcome_of(run);
    }();
    return outcome;
}

std::vector<std::string> error_lines(const std::string& err) {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("remask: error:", 0) == 0) lines.push_back(line);
    return lines;
}

bool has_temp_files(const fs::path& run) {
    for (const auto& entry : fs::directory_iterator(run))
        if (entry.path().extension() == ".tmp") return true;
    return false;
}

// REMASK_BIN replaced, for one run, by a script that caps file sizes first.
class FileSizeLimit {
public:
    FileSizeLimit(const TempDir& tmp, size_t bytes) : real_(std::getenv("REMASK_BIN")) {
        fs::path script = tmp.dir / "limited-remask.sh";
        std::ofstream(script) << "#!/bin/sh\nulimit -f " << bytes / 512 << "\nexec '" << real_ << "' \"$@\"\n";
        fs::permissions(script, fs::perms::owner_all);
        ::setenv("REMASK_BIN", script.c_str(), 1);
    }
    ~FileSizeLimit() { ::setenv("REMASK_BIN", real_.c_str(), 1); }

private:
    std::string real_;
};

TEST(Durability, FullDiskStopsWithOneLineKeepsTheCheckpointAndResumes) {
    const Outcome& expected = reference();
    const int64_t reference_calls = expected.summary["calls"]["target"].get<int64_t>();
    // Limits at which the journal fills early, midway and late in the run.
    for (size_t limit : {size_t{5} << 10, size_t{9} << 10, size_t{13} << 10}) {
        TempDir tmp;
        std::string config = write_config(tmp);
        fs::path run = tmp.dir / "run";
        CommandResult limited;
        {
            // Another process holds the cache open, so SQLite's shared-memory file is sized
            // already and the cache's log fills like any other file.
            SqliteCallCache holder((tmp.dir / "cache.sqlite").string());
            FileSizeLimit cap(tmp, limit);
            limited = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
        }
        SCOPED_TRACE("limit " + std::to_string(limit) + ": " + limited.err);
        ASSERT_EQ(limited.exit_code, 1) << "the limit was never reached";
        std::vector<std::string> errors = error_lines(limited.err);
        ASSERT_EQ(errors.size(), 1u);
        EXPECT_NE(errors[0].find("(disk full?)"), std::string::npos) << errors[0];
        // The cache filled first: its answers were kept in memory and said so.
        EXPECT_NE(limited.err.find("the answer is kept in memory"), std::string::npos);
        ASSERT_TRUE(fs::exists(run / "checkpoint.json"));
        EXPECT_FALSE(has_temp_files(run));
        json checkpoint = json::parse(read_text_file((run / "checkpoint.json").string()));
        EXPECT_FALSE(checkpoint["finished"].get<bool>());

        CommandResult resumed = run_remask({"optimize", config, "--yes", "--resume", run.string()});
        ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
        Outcome got = outcome_of(run);
        EXPECT_EQ(got.best_prompt, expected.best_prompt);
        // Answers that reached the journal before it filled are not paid again; only the
        // evaluation being journaled when the disk filled (at most val_size = 4 calls) is.
        // Spend is never under-counted.
        int64_t calls = got.summary["calls"]["target"].get<int64_t>();
        EXPECT_GE(calls, reference_calls);
        EXPECT_LE(calls, reference_calls + 4);
    }
}

TEST(Durability, KilledBetweenJournalAndCheckpointNeverUnderCountsSpend) {
    const Outcome& expected = reference();
    for (const char* point : {"checkpoint:journal_synced:2", "checkpoint.json:temp_written:2",
                              "checkpoint.json:temp_synced:3", "checkpoint.json:renamed:2"}) {
        SCOPED_TRACE(point);
        TempDir tmp;
        std::string config = write_config(tmp);
        fs::path run = tmp.dir / "run";
        ::setenv("REMASK_TEST_CRASH_AT", point, 1);
        CommandResult killed = run_remask({"optimize", config, "--yes", "--run-dir", run.string()});
        ::unsetenv("REMASK_TEST_CRASH_AT");
        ASSERT_NE(killed.exit_code, 0) << "the crash point was never reached";
        CommandResult resumed = run_remask({"optimize", config, "--yes", "--resume", run.string()});
        ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
        EXPECT_FALSE(has_temp_files(run));
        Outcome got = outcome_of(run);
        EXPECT_EQ(got.best_prompt, expected.best_prompt);
        EXPECT_EQ(got.summary["calls"]["target"], expected.summary["calls"]["target"]);
    }
}

}  // namespace
}  // namespace remask::testing
