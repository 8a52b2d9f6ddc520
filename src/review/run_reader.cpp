#include "review/run_reader.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/settings.h"
#include "optimize/journal_memo.h"
#include "optimize/prompt_text.h"
#include "optimize/run_directory.h"

namespace remask::review {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::vector<json> read_lines(const std::string& path) {
    return optimize::read_jsonl(path, /*repair=*/false);
}

const char* kSpendKinds[] = {"target",       "user",   "rewriter", "judge",
                             "dlm_forwards", "tokens", "usd"};

json cap_of(const Settings& s, const std::string& kind) {
    const BudgetSettings& b = s.budget;
    if (kind == "target") return b.target_calls;
    if (kind == "user") return b.user_calls;
    if (kind == "dlm_forwards") return b.dlm_forwards;
    if (kind == "tokens") return b.tokens;
    if (kind == "usd") return b.usd;
    return 0;  // rewriter and judge calls are counted, not capped by [budget]
}

// The key of a candidate's evaluations: from candidates.jsonl, else (a child of the
// iteration under review, not written yet) from its own eval events.
std::string prompt_hash_of(const std::vector<json>& candidates, const std::vector<json>& events,
                           const std::string& id) {
    for (const json& c : candidates)
        if (c.value("id", std::string()) == id)
            return optimize::prompt_key(
                optimize::render_for_target(c.value("prompt", std::string())));
    for (const json& e : events)
        if (e.value("event", std::string()) == "eval" && e.value("candidate", std::string()) == id)
            return e.value("prompt_hash", std::string());
    return "";
}

bool mentions(const json& entry, const std::string& id, const std::string& input) {
    if (entry.contains("id")) {
        const json& v = entry["id"];
        return v.is_string() ? v.get<std::string>() == id
                             : v.is_number_integer() && std::to_string(v.get<int64_t>()) == id;
    }
    return entry.contains("input") && entry["input"].is_string() &&
           entry["input"].get<std::string>() == input;
}

}  // namespace

RunReader::RunReader(std::string dir) : dir_(std::move(dir)) {
    while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
    if (!fs::exists(dir_ + "/config.toml"))
        throw UsageError(dir_, "not a run directory (no config.toml)");
}

json RunReader::overview() const {
    const Settings s =
        parse_settings(optimize::read_text_file(dir_ + "/config.toml"), dir_ + "/config.toml");
    const std::vector<json> events = read_lines(dir_ + "/events.jsonl");
    json checkpoint = json::object();
    if (fs::exists(dir_ + "/checkpoint.json"))
        checkpoint =
            json::parse(optimize::read_text_file(dir_ + "/checkpoint.json"), nullptr, false);
    if (!checkpoint.is_object()) checkpoint = json::object();

    json out = {
        {"run_dir", dir_},
        {"task", s.task.name},
        {"proposer", s.optimizer.proposer},
        {"review", s.optimizer.review},
        {"finished", checkpoint.value("finished", false)},
        {"stop_reason", checkpoint.value("stop_reason", std::string())},
        {"iterations", std::max<int64_t>(0, checkpoint.value("next_iteration", int64_t{1}) - 1)},
        {"best", nullptr},
        {"initial", nullptr}};
    // The latest journaled spend (an iteration's or the checkpoint's), so a live run moves.
    json spent = checkpoint.value("spent", json::object());
    json series = json::array();
    int64_t taken = 0;
    for (const json& e : events) {
        const std::string kind = e.value("event", std::string());
        if (kind == "iteration") spent = e.value("spent", spent);
        if (kind == "best") {
            series.push_back({{"target_calls", e.value("target_calls", int64_t{0})},
                              {"val", e.value("val", 0.0)},
                              {"candidate", e.value("candidate", std::string())}});
            out["best"] = {{"candidate", e.value("candidate", std::string())},
                           {"val", e.value("val", 0.0)}};
        }
        if (kind == "candidate" && e.value("id", std::string()) == "c0")
            out["initial"] = {{"val", e.value("val", 0.0)}};
        if (kind == "feedback")
            taken += static_cast<int64_t>(e.value("entries", json::array()).size());
    }
    json budget = json::object();
    for (const char* kind : kSpendKinds)
        budget[kind] = {{"used", spent.value(kind, json(0))}, {"cap", cap_of(s, kind)}};
    budget["wall_s"] = {{"used", checkpoint.value("wall_s", 0.0)}, {"cap", s.budget.wall_s}};
    out["budget"] = budget;
    out["series"] = series;
    out["feedback"] = {{"lines", read_lines(feedback_path()).size()}, {"taken", taken}};
    return out;
}

json RunReader::candidates() const {
    const std::vector<json> events = read_lines(dir_ + "/events.jsonl");
    std::map<int64_t, json> taken;  // iteration -> feedback entries read at its start
    for (const json& e : events)
        if (e.value("event", std::string()) == "feedback")
            taken[e.value("iteration", int64_t{0})] = e.value("entries", json::array());
    json out = json::array();
    for (json c : read_lines(dir_ + "/candidates.jsonl")) {
        json edits = json::array();
        for (const json& span : c.value("spans", json::array()))
            edits.push_back({{"before", span.value("before", std::string())},
                             {"after", span.value("after", std::string())}});
        c.erase("spans");
        c.erase("val_scores");
        c["edits"] = edits;
        auto t = taken.find(c.value("iteration", int64_t{0}));
        c["feedback_taken"] = t == taken.end() ? json::array() : t->second;
        out.push_back(c);
    }
    return out;
}

bool RunReader::has_candidate(const std::string& id) const {
    return !prompt_hash_of(read_lines(dir_ + "/candidates.jsonl"),
                           read_lines(dir_ + "/events.jsonl"), id)
                .empty();
}

std::optional<json> RunReader::examples(const std::string& id) const {
    const std::vector<json> events = read_lines(dir_ + "/events.jsonl");
    const std::string hash = prompt_hash_of(read_lines(dir_ + "/candidates.jsonl"), events, id);
    if (hash.empty()) return std::nullopt;
    const std::vector<json> feedback = read_lines(feedback_path());
    json examples = json::array();
    std::set<std::string> seen;
    for (const json& e : events) {
        if (e.value("event", std::string()) != "eval" ||
            e.value("prompt_hash", std::string()) != hash)
            continue;
        const std::string phase = e.value("phase", std::string());
        if (phase == "test") continue;
        for (json t : e.value("traces", json::array())) {
            const std::string example = t.value("id", std::string());
            if (!seen.insert(example).second) continue;
            json reviews = json::array();
            for (const json& f : feedback)
                if (!f.contains("note") && !f.contains("decision") &&
                    mentions(f, example, t.value("input", std::string())))
                    reviews.push_back(f);
            t["phase"] = phase == "parent" || phase == "child" ? "minibatch" : phase;
            t["reviews"] = reviews;
            examples.push_back(t);
        }
    }
    return json{{"candidate", id}, {"examples", examples}};
}

std::set<std::string> RunReader::example_ids() const {
    std::set<std::string> ids;
    for (const json& e : read_lines(dir_ + "/events.jsonl"))
        if (e.value("event", std::string()) == "eval" && e.value("phase", std::string()) != "test")
            for (const json& t : e.value("traces", json::array()))
                ids.insert(t.value("id", std::string()));
    return ids;
}

}  // namespace remask::review
