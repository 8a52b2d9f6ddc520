#include "report/report_data.h"

#include <filesystem>

#include "core/error.h"
#include "optimize/run_directory.h"

namespace fs = std::filesystem;

namespace remask::report {

const optimize::Candidate* RunData::find(const std::string& id) const {
    for (const auto& c : candidates)
        if (c.id == id) return &c;
    return nullptr;
}

const optimize::Candidate* RunData::best() const {
    const optimize::Candidate* best = nullptr;
    for (const auto& c : candidates)
        if (c.accepted && c.val && (!best || *c.val > *best->val)) best = &c;
    return best;
}

RunData load_run(const std::string& dir, const std::string& name) {
    if (!fs::exists(dir + "/config.toml"))
        throw UsageError(dir, "not a run directory (no config.toml)");
    RunData run;
    run.dir = dir;
    run.name = name;
    for (const nlohmann::json& c : optimize::read_jsonl(dir + "/candidates.jsonl", false))
        run.candidates.push_back(optimize::candidate_from_json(c));
    if (fs::exists(dir + "/summary.json"))
        run.summary =
            nlohmann::json::parse(optimize::read_text_file(dir + "/summary.json"), nullptr, false);
    if (run.summary.is_discarded()) run.summary = nullptr;

    // The curve: "best" events, kept monotone (a resumed run may log a step twice).
    double best = -1;
    for (const nlohmann::json& e : optimize::read_jsonl(dir + "/events.jsonl", false)) {
        std::string kind = e.value("event", std::string());
        if (kind == "best") {
            double val = e.value("val", 0.0);
            int64_t calls = e.value("target_calls", int64_t{0});
            if (val > best) {
                run.curve.push_back({calls, val});
                best = val;
            }
        } else if (kind == "iteration") {
            run.iterations = std::max(run.iterations, e.value("iteration", int64_t{0}));
            if (e.contains("spent"))
                run.target_calls =
                    std::max(run.target_calls, e["spent"].value("target", int64_t{0}));
        } else if (kind == "start" && e.contains("dlm") && e["dlm"].is_object()) {
            const nlohmann::json& d = e["dlm"];
            run.dlm_setup = "kv_cache " + d.value("kv_cache", std::string("?")) + ", kv_refresh " +
                            std::to_string(d.value("kv_refresh", int64_t{0})) + ", compute " +
                            d.value("compute", std::string("?"));
        } else if (kind == "stop") {
            run.stop_reason = e.value("reason", std::string());
        }
    }
    for (const auto& c : run.candidates)
        run.target_calls = std::max(run.target_calls, c.target_calls);
    if (!run.curve.empty())
        run.curve.push_back({std::max(run.target_calls, run.curve.back().target_calls), best});
    if (run.name.empty() && run.summary.is_object())
        run.name = run.summary.value("proposer", std::string());
    if (run.name.empty() && run.candidates.size() > 1) run.name = run.candidates.back().proposer;
    if (run.name.empty()) run.name = "run";
    return run;
}

std::vector<std::string> unfinished_runs(const std::string& dir) {
    if (!fs::exists(dir + "/sweep.json")) return {};
    nlohmann::json sweep =
        nlohmann::json::parse(optimize::read_text_file(dir + "/sweep.json"), nullptr, false);
    if (sweep.is_discarded() || !sweep.contains("runs") || !sweep["runs"].is_array())
        throw InputError(dir + "/sweep.json", "not a sweep description");
    std::vector<std::string> missing;
    for (const auto& entry : sweep["runs"]) {
        std::string name = entry.is_string() ? entry.get<std::string>() : entry.dump();
        std::string sub = dir + "/" + name;
        if (!fs::exists(sub + "/config.toml"))
            missing.push_back(name + " (not started)");
        else if (!fs::exists(sub + "/summary.json"))
            missing.push_back(name + " (not finished)");
    }
    return missing;
}

std::vector<RunData> load_runs(const std::string& dir, bool& is_sweep) {
    is_sweep = fs::exists(dir + "/sweep.json");
    if (!is_sweep) return {load_run(dir, "")};
    nlohmann::json sweep =
        nlohmann::json::parse(optimize::read_text_file(dir + "/sweep.json"), nullptr, false);
    if (sweep.is_discarded() || !sweep.contains("runs"))
        throw InputError(dir + "/sweep.json", "not a sweep description");
    std::vector<RunData> runs;
    for (const auto& name : sweep["runs"]) {
        std::string sub = dir + "/" + name.get<std::string>();
        if (fs::exists(sub + "/config.toml"))
            runs.push_back(load_run(sub, name.get<std::string>()));
    }
    return runs;
}

}  // namespace remask::report
