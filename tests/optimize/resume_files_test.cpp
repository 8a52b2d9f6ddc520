// What --resume reads back from a damaged run directory is one InputError naming the
// file, never an "internal" error or a crash (inputs found by fuzz/resume_files_fuzz.cpp
// and by reading), and write_file_atomically leaves the old file and no temp file when
// it cannot write.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "optimize/loop_checkpoint.h"
#include "optimize/run_directory.h"

namespace remask::optimize {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string input_error_of(const json& checkpoint) {
    try {
        parse_loop_checkpoint(checkpoint, "run/checkpoint.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

TEST(ResumeFiles, MistypedCheckpointFieldsAreInputErrors) {
    json good = {{"pool", {{{"id", "c0"}, {"prompt", "p"}, {"val", 0.5}}}}, {"next_iteration", 3}};
    EXPECT_EQ(input_error_of(good), "");
    EXPECT_EQ(parse_loop_checkpoint(good, "x").next_iteration, 3);

    for (const json& bad : {json::array(), json{{"pool", 3}}, json{{"pool", json::array()}},
                            json{{"pool", {{{"id", "c0"}}}}},  // no val: the loop reads it unchecked
                            json{{"pool", good["pool"]}, {"next_iteration", "x"}},
                            json{{"pool", good["pool"]}, {"next_iteration", 0}},
                            json{{"pool", good["pool"]}, {"seen_prompts", {1, 2}}},
                            json{{"pool", {{{"id", 7}, {"val", 1}}}}}}) {
        std::string error = input_error_of(bad);
        EXPECT_NE(error.find("run/checkpoint.json"), std::string::npos) << bad.dump() << " -> " << error;
    }
}

TEST(ResumeFiles, MistypedJournalFieldsAreInputErrors) {
    JournalMemo memo;
    for (const json& bad : {json{{"event", "eval"}, {"prompt_hash", 5}, {"traces", json::array()}},
                            json{{"event", "review"}, {"iteration", "two"}},
                            json{{"event", "proposal"}, {"key", "k"}, {"children", {{{"prompt", 1}}}}}}) {
        try {
            load_journal(memo, {bad}, "run/events.jsonl");
            ADD_FAILURE() << "accepted " << bad.dump();
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("run/events.jsonl"), std::string::npos);
        }
    }
}

TEST(ResumeFiles, AFailedAtomicWriteKeepsTheOldFileAndNoTempFile) {
    fs::path dir = fs::temp_directory_path() / ("remask-atomic-" + std::to_string(getpid()));
    fs::create_directories(dir);
    std::string path = (dir / "checkpoint.json").string();
    write_file_atomically(path, "old\n");
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
        std::signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {1024, 1024};  // a "disk" that holds 1 KiB per file
        setrlimit(RLIMIT_FSIZE, &limit);
        try {
            write_file_atomically(path, std::string(4096, 'n'));
        } catch (const ExternalError& e) {
            _exit(std::string(e.what()).find("the previous file is kept") != std::string::npos ? 3 : 4);
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 3);
    std::ifstream in(path);
    std::string content((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(content, "old\n");
    for (const auto& entry : fs::directory_iterator(dir))
        EXPECT_NE(entry.path().extension(), ".tmp") << entry.path();
    // A temp file left by a crash is removed when the run is opened again.
    std::ofstream(dir / "config.toml") << "[task]\n";
    std::ofstream(dir / "checkpoint.json.tmp") << "half";
    RunDirectory::open(dir.string());
    EXPECT_FALSE(fs::exists(dir / "checkpoint.json.tmp"));
    fs::remove_all(dir);
}

}  // namespace
}  // namespace remask::optimize
