#include "tasks/registry.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "tasks/dataset_files.h"
#include "tasks/sst2_task.h"
#include "tasks/sst5_task.h"

namespace remask {
namespace {

std::string rubric_text(const std::string& rubric) {
    std::error_code ec;
    if (rubric.empty() || rubric.find('\n') != std::string::npos ||
        !std::filesystem::is_regular_file(rubric, ec))
        return rubric;
    std::ifstream in(rubric);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::vector<std::string> known_task_names() { return {"sst2", "sst5", "jsonl", "tau-retail", "tau-airline"}; }

std::unique_ptr<Task> make_task(const TaskSettings& settings, const TaskContext& context) {
    const std::string data_dir = resolve_data_dir(context.data_dir);
    if (settings.name == "sst2") return std::make_unique<Sst2Task>(data_dir);
    if (settings.name == "sst5") return std::make_unique<Sst5Task>(data_dir);
    if (settings.name == "jsonl") {
        if (settings.data.empty())
            throw InputError("[task] data", "the jsonl task needs a data file (--data FILE)");
        JsonlOptions options;
        options.tolerance = context.tolerance;
        options.labels = context.labels;
        options.rubric = rubric_text(settings.rubric);
        options.scorer = context.scorer;
        return std::make_unique<JsonlTask>(settings.data, parse_jsonl_metric(settings.metric),
                                           std::move(options), context.judge);
    }
    if (settings.name == "tau-retail" || settings.name == "tau-airline")
        throw InputError("task '" + settings.name + "'",
                         "a multi-turn task, not a per-example Task: `remask eval --task " + settings.name +
                             "` and `remask optimize` run it (src/tasks/tau/)");
    std::string known;
    for (const auto& name : known_task_names()) known += (known.empty() ? "" : ", ") + name;
    throw InputError("task '" + settings.name + "'", "unknown task: use one of " + known);
}

}  // namespace remask
