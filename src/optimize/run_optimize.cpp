#include "optimize/run_optimize.h"

#include <ctime>
#include <filesystem>
#include <istream>
#include <ostream>
#include <sstream>

#include "optimize/projection.h"
#include "optimize/sweep.h"

namespace fs = std::filesystem;

namespace remask::optimize {

namespace {

struct Parts {
    std::unique_ptr<PromptEvaluator> evaluator;
    std::unique_ptr<SpanInfiller> infiller;
    std::unique_ptr<TokenScorer> scorer;
    std::unique_ptr<LanguageModel> rewriter;
    std::unique_ptr<Proposer> proposer;
    TokenSplitter splitter;
};

Parts build_parts(const Settings& s, const Wiring& w) {
    Parts p;
    p.splitter = w.splitter ? w.splitter(s) : whitespace_splitter();
    p.evaluator = w.evaluator(s);
    const std::string& name = s.optimizer.proposer;
    if (name == "dlm" || name == "dlm-blind") {
        p.infiller = w.infiller(s);
        if (s.optimizer.mask_plan == "confidence") p.scorer = w.token_scorer(s);
    }
    if (name == "ar-rewrite") p.rewriter = w.rewriter(s);
    p.proposer = make_proposer(s, {p.infiller.get(), p.scorer.get(), p.rewriter.get(), p.splitter});
    return p;
}

std::string read_prompt(const Settings& s) {
    std::string path = s.optimizer.prompt;
    if (!fs::exists(path) && !s.source_file.empty() && fs::path(path).is_relative()) {
        fs::path beside = fs::path(s.source_file).parent_path() / path;
        if (fs::exists(beside)) path = beside.string();
    }
    if (!fs::exists(path))
        throw InputError(
            s.source_file.empty() ? "[optimizer] prompt" : s.source_file + ": [optimizer] prompt",
            "no file '" + s.optimizer.prompt +
                "' (relative paths: from the working folder or the config's folder)");
    std::string prompt = read_text_file(path);
    split_keep_regions(prompt, path);
    if (render_for_target(prompt).find_first_not_of(" \t\r\n") == std::string::npos)
        throw InputError(path, "the initial prompt is empty");
    return prompt;
}

void check_budget_given(const Settings& s) {
    const BudgetSettings& b = s.budget;
    if (b.target_calls <= 0 && b.dlm_forwards <= 0 && b.tokens <= 0 && b.usd <= 0 &&
        b.wall_s <= 0 && s.optimizer.patience <= 0)
        throw InputError(s.source_file + ": [budget]",
                         "every cap is 0 and [optimizer] patience is 0: the run would never stop");
}

std::string first_difference(const std::string& a, const std::string& b) {
    std::istringstream x(a), y(b);
    std::string la, lb;
    while (true) {
        bool ga = static_cast<bool>(std::getline(x, la)),
             gb = static_cast<bool>(std::getline(y, lb));
        if (!ga && !gb) return "";
        if (!ga || !gb || la != lb) return "'" + la + "' vs '" + lb + "'";
    }
}

Projection projection_for(const Settings& s, const Wiring& w) {
    Parts p = build_parts(s, w);
    ProjectionInputs in;
    in.settings = s;
    in.train = p.evaluator->split("train").size();
    in.val = p.evaluator->split("val").size();
    in.test = p.evaluator->split("test").size();
    in.prompt_tokens = count_prompt_tokens(read_prompt(s), p.splitter);
    in.forward_ms = w.forward_ms ? w.forward_ms(s) : 0.0;
    in.partial_forward_ms = w.partial_forward_ms ? w.partial_forward_ms(s) : 0.0;
    in.kv_cache_bytes = w.kv_cache_bytes ? w.kv_cache_bytes(s) : 0;
    return project_run(in);
}

void report_result(const OptimizeResult& r, const std::string& dir, bool json, std::ostream& out) {
    if (json) {
        out << r.summary.dump() << "\n";
        return;
    }
    auto test = [](const std::optional<double>& v) {
        std::ostringstream t;
        if (v)
            t << *v;
        else
            t << "-";
        return t.str();
    };
    out << dir << ": best " << r.best_id << " val " << r.best_val << " (initial " << r.initial_val
        << "), test " << test(r.best_test) << " (initial " << test(r.initial_test) << "), "
        << r.iterations << " iterations, stopped by " << r.stop_reason << "\n";
}

// One loop over one run directory (fresh or resumed).
void run_one(const Settings& s, RunDirectory& dir, const std::string& prompt,
             const OptimizeOptions& o, const Wiring& w, OptimizeIo& io,
             const FeedbackBook& feedback) {
    Parts p = build_parts(s, w);
    std::unique_ptr<Reviewer> reviewer;
    if (o.review) reviewer = make_terminal_reviewer(*io.in, *io.err);
    OptimizerParts parts{p.evaluator.get(), p.proposer.get(), p.splitter, reviewer.get(), feedback};
    OptimizeResult r = run_optimizer(s, dir, prompt, parts, io.hooks);
    report_result(r, dir.path(), o.json, *io.out);
}

// The initial prompt of a run that already started is in its journal; else the file.
std::string initial_prompt_for(const Settings& s, const RunDirectory& dir) {
    for (const nlohmann::json& e : dir.read_events())
        if (e.value("event", std::string()) == "start")
            return e.value("initial_prompt", std::string());
    return read_prompt(s);
}

bool confirmed(OptimizeIo& io) {
    *io.err << "start? [y/N] " << std::flush;
    std::string answer;
    if (!io.in || !std::getline(*io.in, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

std::string resume(const OptimizeOptions& o, const Wiring& w, OptimizeIo& io,
                   const FeedbackBook& feedback) {
    const std::string& top = o.resume_dir;
    if (!fs::exists(top + "/config.toml"))
        throw UsageError(top, "not a run directory (no config.toml)");
    const std::string stored_text = read_text_file(top + "/config.toml");
    Settings stored = parse_settings(stored_text, top + "/config.toml");
    Settings s = stored;
    if (!o.config_path.empty()) {
        Settings given = load_settings(o.config_path);
        std::string diff = first_difference(settings_to_toml(stored), settings_to_toml(given));
        if (!diff.empty() && !o.force)
            throw UsageError(o.config_path,
                             "differs from " + top + "/config.toml (" + diff +
                                 "); resume without it, or pass --force to continue with it");
        if (!diff.empty()) s = given;
    }
    check_budget_given(s);
    std::vector<std::pair<std::string, Settings>> runs;  // sub-directory ("" = top), settings
    if (fs::exists(top + "/sweep.json")) {
        nlohmann::json sweep = nlohmann::json::parse(read_text_file(top + "/sweep.json"));
        SweepSpec spec{sweep.at("table"), sweep.at("key"), sweep.at("values")};
        for (const std::string& v : spec.values)
            runs.push_back({sweep_run_name(spec, v), apply_sweep_value(s, spec, v)});
    } else {
        runs.push_back({"", s});
    }
    if (o.dry_run) {
        for (const auto& [name, rs] : runs)
            *io.out << (name.empty() ? "" : name + ": ") << projection_for(rs, w).text();
        return "";
    }
    if (settings_to_toml(s) != settings_to_toml(stored))
        write_file_atomically(top + "/config.toml", settings_to_toml(s));
    for (const auto& [name, rs] : runs) {
        std::string path = name.empty() ? top : top + "/" + name;
        if (!name.empty() && fs::exists(path + "/config.toml") &&
            read_text_file(path + "/config.toml") != settings_to_toml(rs))
            write_file_atomically(path + "/config.toml", settings_to_toml(rs));
        RunDirectory dir = fs::exists(path + "/config.toml")
                               ? RunDirectory::open(path)
                               : RunDirectory::create(path, settings_to_toml(rs));
        run_one(rs, dir, initial_prompt_for(rs, dir), o, w, io, feedback);
    }
    return top;
}

std::string fresh(const OptimizeOptions& o, const Wiring& w, OptimizeIo& io,
                  const FeedbackBook& feedback) {
    if (o.config_path.empty()) throw UsageError("optimize", "give CONFIG.toml (or --resume DIR)");
    Settings base = load_settings(o.config_path);
    check_budget_given(base);
    const std::string prompt = read_prompt(base);
    std::optional<SweepSpec> spec;
    std::vector<std::pair<std::string, Settings>> runs;
    if (!o.sweep.empty()) {
        spec = parse_sweep(o.sweep);
        for (const std::string& v : spec->values)
            runs.push_back({sweep_run_name(*spec, v), apply_sweep_value(base, *spec, v)});
    } else {
        runs.push_back({"", base});
    }
    const std::string top = o.run_dir.empty() ? expand_run_dir(base.run.dir, base) : o.run_dir;
    if (fs::exists(top) && !(fs::is_directory(top) && fs::is_empty(top)))
        throw UsageError(
            top, "exists and is not empty: resume it with --resume or choose another --run-dir");

    for (const auto& [name, rs] : runs) {
        Projection p = projection_for(rs, w);
        *(o.dry_run ? io.out : io.err) << (name.empty() ? "" : name + ": ") << p.text();
    }
    if (o.dry_run) return "";
    if (!o.yes && !confirmed(io))
        throw UsageError("optimize",
                         "not started (answer 'y' to start, or pass --yes to skip the question)");

    if (spec) {
        fs::create_directories(top);
        write_file_atomically(top + "/config.toml", settings_to_toml(base));
        nlohmann::json sweep = {
            {"table", spec->table}, {"key", spec->key}, {"values", spec->values}};
        nlohmann::json names = nlohmann::json::array();
        for (const auto& [name, rs] : runs) names.push_back(name);
        sweep["runs"] = names;
        write_file_atomically(top + "/sweep.json", sweep.dump(2) + "\n");
    }
    for (const auto& [name, rs] : runs) {
        RunDirectory dir =
            RunDirectory::create(name.empty() ? top : top + "/" + name, settings_to_toml(rs));
        run_one(rs, dir, prompt, o, w, io, feedback);
    }
    return top;
}

}  // namespace

std::string expand_run_dir(const std::string& pattern, const Settings& s) {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
    const std::pair<std::string, std::string> fields[] = {{"{task}", s.task.name},
                                                          {"{proposer}", s.optimizer.proposer},
                                                          {"{seed}", std::to_string(s.run.seed)},
                                                          {"{time}", stamp}};
    std::string out = pattern;
    for (const auto& [key, value] : fields)
        for (size_t at = out.find(key); at != std::string::npos;
             at = out.find(key, at + value.size()))
            out.replace(at, key.size(), value);
    return out;
}

std::string run_optimize_command(const OptimizeOptions& o, const Wiring& w, OptimizeIo& io) {
    if (!io.out || !io.err) throw UsageError("optimize", "no output streams");
    FeedbackBook feedback;
    if (!o.feedback_path.empty()) feedback = FeedbackBook::load(o.feedback_path);
    if (!o.resume_dir.empty()) {
        if (!o.sweep.empty())
            throw UsageError("--sweep", "a resumed run keeps its sweep; drop --sweep");
        if (!o.run_dir.empty()) throw UsageError("--run-dir", "cannot be combined with --resume");
        return resume(o, w, io, feedback);
    }
    return fresh(o, w, io, feedback);
}
}  // namespace remask::optimize
