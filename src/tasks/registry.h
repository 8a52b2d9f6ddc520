#pragma once
// The task registry: a [task] table (or `remask eval` flags) → a Task.
//
//   TaskContext context;                       // data_dir, judge model, jsonl options
//   std::unique_ptr<Task> task = make_task(settings.task, context);
//
// Adding a task: one file (a Task subclass) and one line in registry.cpp.

#include <memory>
#include <string>
#include <vector>

#include "core/settings.h"
#include "llm/language_model.h"
#include "tasks/jsonl_task.h"
#include "tasks/task.h"

namespace remask {

struct TaskContext {
    std::string data_dir;             // the bundled datasets; "" = resolve_data_dir's default
    LanguageModel* judge = nullptr;   // jsonl with metric = "judge"; must outlive the task
    double tolerance = 1e-6;          // jsonl numeric
    std::vector<std::string> labels;  // jsonl labels; empty = every distinct expected value
    std::shared_ptr<Scorer> scorer;   // jsonl webhook / exec (make_scorer); counts its calls
};

// Throws InputError for an unknown task name (listing the known ones) or bad data. The
// jsonl rubric is settings.rubric: the text itself, or a file holding it when that file exists.
std::unique_ptr<Task> make_task(const TaskSettings& settings, const TaskContext& context = {});

// Task names remask knows. make_task builds the per-example ones; tau-retail and
// tau-airline are multi-turn (src/tasks/tau/) and make_task refuses them with a clear line.
std::vector<std::string> known_task_names();

}  // namespace remask
