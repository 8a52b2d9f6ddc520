// A feedback file (`--feedback FILE`, JSONL), applied to a few traces; and the same bytes
// as RUN_DIR/feedback.jsonl read by the loop each iteration (lines from the review page),
// each entry it passes taken into a book as the loop takes it.
#include "fuzz_support.h"
#include "core/error.h"
#include "optimize/feedback.h"
#include "optimize/feedback_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string path = remask::fuzz::write_scratch_file("feedback.jsonl", remask::fuzz::as_text(data, size));
    try {
        auto book = remask::optimize::FeedbackBook::load(path);
        std::vector<remask::optimize::Trace> traces(2);
        traces[0].example_id = "val-1";
        traces[0].input = "a gorgeous, witty film";
        traces[1].example_id = "train-3";
        book.apply(traces);
        for (const auto& t : traces)
            if (!(t.score >= 0 && t.score <= 1)) std::abort();  // scores stay in [0, 1]
    } catch (const remask::Error&) {
    }
    try {
        auto fresh = remask::optimize::read_feedback_since(path, 0);
        remask::optimize::FeedbackBook taken;
        for (const auto& entry : fresh.entries)
            if (!entry.contains("note")) taken.add_entry(entry, path);
    } catch (const remask::Error&) {
    }
    return 0;
}
