// A jsonl dataset file (`[task] name = "jsonl"`), single- and multi-turn ("messages")
// lines. The first input byte picks the metric (which changes how "expected" is read);
// the rest is the file. Every loaded example is rendered into the target's messages.
#include "fuzz_support.h"
#include "core/error.h"
#include "tasks/jsonl_task.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const remask::JsonlMetric metrics[] = {remask::JsonlMetric::exact, remask::JsonlMetric::contains,
                                                  remask::JsonlMetric::regex, remask::JsonlMetric::labels,
                                                  remask::JsonlMetric::numeric};
    remask::JsonlMetric metric = metrics[data[0] % 5];
    std::string path = remask::fuzz::write_scratch_file("data.jsonl", remask::fuzz::as_text(data + 1, size - 1));
    try {
        remask::JsonlTask task(path, metric, remask::JsonlOptions{});
        for (const char* split : {"train", "dev", "test"})
            for (const remask::Example& example : task.split(split)) (void)task.messages("Be brief.", example);
    } catch (const remask::Error&) {
    }
    return 0;
}
