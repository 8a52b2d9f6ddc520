#include "tasks/tau/domain.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>

#include "core/error.h"

namespace remask::tau {
namespace {

namespace fs = std::filesystem;

uint64_t next_instance_id() {
    static std::atomic<uint64_t> counter{0};
    return ++counter;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path.string(), "cannot open the file (is data/tau-bench complete?)");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Json read_json(const fs::path& path) {
    std::string text = read_text(path);
    try {
        return Json::parse(text);
    } catch (const Json::exception& error) {
        throw InputError(path.string(), std::string("not valid JSON: ") + error.what());
    }
}

const Json& field(const Json& object, const char* key, const fs::path& path) {
    if (!object.is_object() || !object.contains(key)) {
        throw InputError(path.string(), std::string("missing field \"") + key + "\"");
    }
    return object.at(key);
}

// id_prefix: "retail/dev/" and the like; a task's id is the prefix and its index.
std::vector<TauTask> read_tasks(const fs::path& path, const std::string& id_prefix) {
    Json file = read_json(path);
    std::vector<TauTask> tasks;
    int index = 0;
    for (const auto& record : field(file, "tasks", path)) {
        TauTask task;
        task.index = index++;
        task.id = id_prefix + std::to_string(task.index);
        try {
            task.user_id = record.at("user_id").get<std::string>();
            task.instruction = record.at("instruction").get<std::string>();
            for (const auto& action : record.at("actions")) {
                task.actions.push_back({action.at("name").get<std::string>(), action.at("kwargs")});
            }
            for (const auto& output : record.value("outputs", Json::array())) task.outputs.push_back(output.get<std::string>());
        } catch (const Json::exception& error) {
            throw InputError(path.string(), "task " + std::to_string(task.index) + ": " + error.what());
        }
        tasks.push_back(std::move(task));
    }
    return tasks;
}

std::vector<ToolSignature> read_signatures(const fs::path& path, const std::string& domain) {
    Json file = read_json(path);
    std::vector<ToolSignature> tools;
    for (const auto& record : field(file, domain.c_str(), path)) {
        ToolSignature tool;
        tool.name = field(record, "name", path).get<std::string>();
        tool.class_name = field(record, "class", path).get<std::string>();
        tool.description = field(record, "description", path).get<std::string>();
        tool.parameters = field(record, "parameters", path);
        for (const auto& parameter : field(record, "invoke_signature", path)) {
            tool.invoke_parameters.push_back(
                {parameter.at("name").get<std::string>(), parameter.at("annotation").get<std::string>()});
        }
        tools.push_back(std::move(tool));
    }
    return tools;
}

std::string short_name(const std::string& name) {
    if (name == "tau-retail" || name == "retail") return "retail";
    if (name == "tau-airline" || name == "airline") return "airline";
    throw InputError("task", "unknown τ-bench domain \"" + name + "\" (expected tau-retail or tau-airline)");
}

// The signatures from tool_signatures.json, each matched with its C++ implementation.
void attach_tools(TauDomain& out, const fs::path& root, const std::string& domain) {
    const fs::path signatures = root / "tool_signatures.json";
    out.tools = read_signatures(signatures, domain);
    const auto& implementations = domain == "retail" ? retail_tool_implementations() : airline_tool_implementations();
    if (implementations.size() != out.tools.size()) {
        throw InputError(signatures.string(), domain + " lists " + std::to_string(out.tools.size()) +
                                                  " tools; remask implements " + std::to_string(implementations.size()));
    }
    for (const auto& tool : out.tools) {
        auto it = std::find_if(implementations.begin(), implementations.end(),
                               [&](const ToolImplementation& impl) { return impl.name == tool.name; });
        if (it == implementations.end()) {
            throw InputError(signatures.string(), "tool \"" + tool.name + "\" has no implementation in remask");
        }
        out.functions.push_back(it->function);
    }
    out.terminal_tools = {"transfer_to_human_agents"};
}

}  // namespace

Json TauDomain::openai_tools() const {
    Json out = Json::array();
    for (const auto& tool : tools) {
        out.push_back(Json{{"type", "function"},
                           {"function", Json{{"name", tool.name}, {"description", tool.description}, {"parameters", tool.parameters}}}});
    }
    return out;
}

std::vector<std::string> TauDomain::split_names() const {
    if (name == "tau-airline") return {"train", "test", "all"};
    return {"train", "dev", "test"};
}

std::vector<TauTask> TauDomain::split(const std::string& split_name, uint64_t seed) const {
    if (name == "tau-airline" && (split_name == "train" || split_name == "test")) {
        const auto& all = task_files.at("all");
        auto [train, test] = airline_split_indices(static_cast<int>(all.size()), seed);
        std::vector<TauTask> out;
        for (int index : split_name == "train" ? train : test) out.push_back(all[static_cast<size_t>(index)]);
        return out;
    }
    auto it = task_files.find(split_name);
    if (it == task_files.end()) {
        std::string names;
        for (const auto& known : split_names()) names += (names.empty() ? "" : ", ") + known;
        throw UsageError("--split", "\"" + split_name + "\" is not a split of " + name + " (choose " + names + ")");
    }
    return it->second;
}

const ToolSignature* TauDomain::find_tool(const std::string& tool_name) const {
    for (const auto& tool : tools) {
        if (tool.name == tool_name) return &tool;
    }
    return nullptr;
}

TauDomain read_tau_domain(const std::string& name, const std::string& data_dir) {
    const std::string domain = short_name(name);
    const fs::path root = data_dir.empty() ? fs::path(find_tau_data_dir()) : fs::path(data_dir);
    const fs::path folder = root / domain;
    TauDomain out;
    out.name = "tau-" + domain;
    out.data_dir = root.string();
    out.instance_id = next_instance_id();
    out.wiki = read_text(folder / "wiki.md");
    out.initial_data = Json::object();
    const std::vector<std::string> tables = domain == "retail" ? std::vector<std::string>{"orders", "products", "users"}
                                                               : std::vector<std::string>{"flights", "reservations", "users"};
    for (const auto& table : tables) out.initial_data[table] = read_json(folder / (table + ".json"));
    if (domain == "retail") {
        for (const char* split : {"train", "dev", "test"}) {
            out.task_files[split] =
                read_tasks(folder / (std::string("tasks_") + split + ".json"), "retail/" + std::string(split) + "/");
        }
    } else {
        out.task_files["all"] = read_tasks(folder / "tasks_test.json", "airline/all/");
    }

    attach_tools(out, root, domain);
    return out;
}

TauDomain tau_domain_with_data(const std::string& name, Json data, const std::string& data_dir) {
    const std::string domain = short_name(name);
    const fs::path root = data_dir.empty() ? fs::path(find_tau_data_dir()) : fs::path(data_dir);
    TauDomain out;
    out.name = "tau-" + domain;
    out.data_dir = root.string();
    out.instance_id = next_instance_id();
    out.wiki = read_text(root / domain / "wiki.md");
    out.initial_data = std::move(data);
    attach_tools(out, root, domain);
    return out;
}

const TauDomain& load_tau_domain(const std::string& name, const std::string& data_dir) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<TauDomain>> cache;
    const std::string key = short_name(name) + "|" + data_dir;
    std::lock_guard<std::mutex> lock(mutex);
    auto& slot = cache[key];
    if (!slot) slot = std::make_unique<TauDomain>(read_tau_domain(name, data_dir));
    return *slot;
}

std::string find_tau_data_dir() {
    if (const char* env = std::getenv("REMASK_DATA_DIR"); env && *env) {
        fs::path candidate = fs::path(env) / "tau-bench";
        if (fs::is_directory(candidate)) return candidate.string();
        throw InputError("REMASK_DATA_DIR", candidate.string() + " does not exist");
    }
    if (fs::is_directory("data/tau-bench")) return "data/tau-bench";
    std::error_code error;
    fs::path here = fs::read_symlink("/proc/self/exe", error).parent_path();
    for (int up = 0; !error && up < 6 && !here.empty(); ++up, here = here.parent_path()) {
        if (fs::is_directory(here / "data" / "tau-bench")) return (here / "data" / "tau-bench").string();
        if (here == here.parent_path()) break;
    }
    throw InputError("data/tau-bench", "not found (run from the repository root or set REMASK_DATA_DIR)");
}

std::pair<std::vector<int>, std::vector<int>> airline_split_indices(int n, uint64_t seed) {
    std::vector<int> order(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
    std::mt19937_64 generator(seed);
    for (int i = n - 1; i > 0; --i) {
        // Unbiased draw in [0, i] by rejection (std::uniform_int_distribution differs by library).
        const uint64_t range = static_cast<uint64_t>(i) + 1;
        const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
        uint64_t draw = generator();
        while (draw >= limit) draw = generator();
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(draw % range)]);
    }
    std::vector<int> train(order.begin(), order.begin() + n / 2);
    std::vector<int> test(order.begin() + n / 2, order.end());
    std::sort(train.begin(), train.end());
    std::sort(test.begin(), test.end());
    return {train, test};
}

}  // namespace remask::tau
