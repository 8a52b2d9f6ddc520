// What `remask optimize --resume` reads from a run directory: events.jsonl (the journal,
// replayed into the memo, its spend summed) and checkpoint.json (the loop state). Input:
// <events.jsonl bytes> "\n#CHECKPOINT#\n" <checkpoint.json bytes>.
#include "fuzz_support.h"
#include "core/error.h"
#include "optimize/loop_checkpoint.h"
#include "optimize/run_directory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto [events, checkpoint] = remask::fuzz::split_once(remask::fuzz::as_text(data, size), "\n#CHECKPOINT#\n");
    namespace fs = std::filesystem;
    fs::path run = remask::fuzz::scratch_dir() / "run";
    fs::create_directories(run);
    remask::fuzz::write_scratch_file("run/config.toml", "[task]\nname = \"sst2\"\n");
    remask::fuzz::write_scratch_file("run/events.jsonl", events);
    remask::fuzz::write_scratch_file("run/candidates.jsonl", "");
    remask::fuzz::write_scratch_file("run/checkpoint.json", checkpoint);
    try {
        auto dir = remask::optimize::RunDirectory::open(run.string());
        remask::optimize::JournalMemo memo;
        remask::optimize::load_journal(memo, dir.read_events(), dir.file("events.jsonl"));
        if (auto cp = dir.read_checkpoint()) (void)remask::optimize::parse_loop_checkpoint(*cp, dir.file("checkpoint.json"));
    } catch (const remask::Error&) {
    }
    return 0;
}
