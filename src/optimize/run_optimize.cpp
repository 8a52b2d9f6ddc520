#include "optimize/run_optimize.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <istream>
#include <ostream>
#include <sstream>

#include "optimize/projection.h"
#include "optimize/sweep.h"
#include "optimize/tau_evaluator.h"
#include "optimize/tau_prompt.h"
#include "tasks/tau/domain.h"

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

// The [optimizer] prompt file's text and the path it was found at.
std::pair<std::string, std::string> read_prompt_file(const Settings& s) {
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
    return {read_text_file(path), path};
}

std::string read_prompt(const Settings& s) {
    if (is_tau_task(s.task.name)) {
        // The file holds the instructions; "" = none (upstream's prompt exactly).
        std::string instructions = s.optimizer.prompt.empty() ? "" : read_prompt_file(s).first;
        split_keep_regions(instructions, s.optimizer.prompt);
        std::string prompt = tau_initial_prompt(tau::load_tau_domain(s.task.name), instructions,
                                                s.task.whole_prompt);
        split_keep_regions(prompt, "the tau initial prompt");
        return prompt;
    }
    auto [prompt, path] = read_prompt_file(s);
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

// τ episodes, as an estimate for the projection: GPT-4o-mini on τ-bench takes about this
// many agent steps and user turns per episode (upstream's trajectories), never more than
// max_steps; each agent call carries the tool schemas and the conversation so far.
constexpr double kTauAgentStepsEstimate = 9;
constexpr double kTauUserTurnsEstimate = 4;

void add_tau_estimates(const Settings& s, ProjectionInputs& in) {
    const double steps = std::min<double>(kTauAgentStepsEstimate, static_cast<double>(s.task.max_steps));
    const double turns = std::min<double>(kTauUserTurnsEstimate, steps + 1);
    const double trials = static_cast<double>(s.task.trials);
    in.target_calls_per_example = steps * trials;
    in.user_calls_per_example = turns * trials;
    in.input_tokens_per_example = 2500;  // tool schemas (~1500) and an average conversation
    in.output_tokens_per_call = 60;
    std::ostringstream note;
    note << "episode length is an estimate: ~" << steps << " agent steps and ~" << turns
         << " user turns per episode (at most " << s.task.max_steps << " steps), " << s.task.trials
         << " trial(s) per task; the cap check uses the bound " << s.task.trials * s.task.max_steps
         << " target calls per task";
    in.notes.push_back(note.str());
    in.notes.push_back(s.user ? "the simulated user is [user] (" + s.user->model + ")"
                              : "no [user] table: the target's endpoint (" + s.target.model +
                                    ") plays the simulated user, as `remask eval` does");
}

// A τ prompt must leave room for rewriting under max_prompt_tokens: the policy is part of
// the prompt in both modes, so a small cap would turn every child away as too long.
void check_prompt_fits(const Settings& s, const std::string& prompt, const TokenSplitter& splitter) {
    if (!is_tau_task(s.task.name) || s.optimizer.max_prompt_tokens <= 0) return;
    const size_t tokens = count_prompt_tokens(prompt, splitter);
    if (tokens + 64 <= static_cast<size_t>(s.optimizer.max_prompt_tokens)) return;
    const size_t suggestion = (tokens + 512 + 255) / 256 * 256;
    throw InputError(s.source_file + ": [optimizer] max_prompt_tokens",
                     std::to_string(s.optimizer.max_prompt_tokens) + " does not fit the initial prompt (" +
                         std::to_string(tokens) + " tokens, the " + s.task.name +
                         " policy included) with room to rewrite; set max_prompt_tokens = " +
                         std::to_string(suggestion) + " or more");
}

Projection projection_for(const Settings& s, const Wiring& w) {
    Parts p = build_parts(s, w);
    ProjectionInputs in;
    in.settings = s;
    in.train = p.evaluator->split("train").size();
    in.val = p.evaluator->split("val").size();
    in.test = p.evaluator->split("test").size();
    const std::string prompt = read_prompt(s);
    check_prompt_fits(s, prompt, p.splitter);
    in.prompt_tokens = count_prompt_tokens(prompt, p.splitter);
    if (is_tau_task(s.task.name)) add_tau_estimates(s, in);
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

// Who decides on each iteration's children: --review (the terminal), else [optimizer] review.
std::string review_mode(const Settings& s, const OptimizeOptions& o) {
    return o.review ? "terminal" : s.optimizer.review;
}

// Checked before anything is written: the page must exist when the loop is to wait for it.
void check_review_mode(const Settings& s, const OptimizeOptions& o, const OptimizeIo& io) {
    if (review_mode(s, o) == "web" && !io.live_review)
        throw UsageError(s.source_file.empty() ? "[optimizer] review" : s.source_file + ": [optimizer] review",
                         "\"web\" waits for decisions made on the review page: add --review-web PORT");
}

// One loop over one run directory (fresh or resumed).
void run_one(const Settings& s, RunDirectory& dir, const std::string& prompt,
             const OptimizeOptions& o, const Wiring& w, OptimizeIo& io,
             const FeedbackBook& feedback) {
    Parts p = build_parts(s, w);
    std::unique_ptr<Reviewer> terminal;
    std::unique_ptr<LiveReview> page;
    const std::string mode = review_mode(s, o);
    if (io.live_review) page = io.live_review(dir.path(), mode == "web");
    if (mode == "terminal") terminal = make_terminal_reviewer(*io.in, *io.err);
    Reviewer* reviewer = mode == "terminal" ? terminal.get() : mode == "web" ? &page->reviewer() : nullptr;
    OptimizerParts parts{p.evaluator.get(), p.proposer.get(), p.splitter, reviewer, feedback};
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

// A shard's --run-dir: new, or holding the same sweep of the same config. Sibling shards
// start at the same moment, so one may find the folder half made by another: a missing
// sweep.json or config.toml is fine as long as what is there belongs to this sweep.
void check_shared_sweep_dir(const std::string& top, const std::string& config_toml,
                            const nlohmann::json& sweep) {
    if (!fs::exists(top)) return;
    auto refuse = [&] {
        throw UsageError(top, "holds another run or sweep: every shard needs the same CONFIG and --sweep, and a "
                              "--run-dir of its own sweep");
    };
    if (!fs::is_directory(top)) refuse();
    const bool has_sweep = fs::exists(top + "/sweep.json"), has_config = fs::exists(top + "/config.toml");
    if (has_sweep && nlohmann::json::parse(read_text_file(top + "/sweep.json"), nullptr, false) != sweep) refuse();
    if (has_config && read_text_file(top + "/config.toml") != config_toml) refuse();
    if (has_sweep && has_config) return;
    // Half made: only this sweep's sub-run folders and temp files may be there yet.
    const std::vector<std::string> runs = sweep.value("runs", std::vector<std::string>());
    for (const auto& entry : fs::directory_iterator(top)) {
        const std::string name = entry.path().filename().string();
        bool ours = name == "sweep.json" || name == "config.toml" || entry.path().extension() == ".tmp" ||
                    std::find(runs.begin(), runs.end(), name) != runs.end();
        if (!ours) refuse();
    }
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
    check_review_mode(s, o, io);
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
    // A τ config changed with --force is checked like a fresh one before anything is written
    // (the prompt as the run stored it; the prompt file may be gone by now).
    for (const auto& [name, rs] : runs) {
        if (!is_tau_task(rs.task.name)) continue;
        std::string events = (name.empty() ? top : top + "/" + name) + "/events.jsonl";
        std::string prompt;
        if (fs::exists(events))
            for (const nlohmann::json& e : read_jsonl(events, false))
                if (e.value("event", std::string()) == "start") prompt = e.value("initial_prompt", std::string());
        check_prompt_fits(rs, prompt.empty() ? read_prompt(rs) : prompt,
                          w.splitter ? w.splitter(rs) : whitespace_splitter());
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
    check_review_mode(base, o, io);
    read_prompt(base);
    std::optional<SweepSpec> spec;
    std::optional<ShardSpec> shard;
    std::vector<std::pair<std::string, Settings>> runs;
    nlohmann::json names = nlohmann::json::array();
    if (!o.shard.empty()) {
        shard = parse_shard(o.shard);
        if (o.sweep.empty()) throw UsageError("--shard", "shards split a sweep: give --sweep too");
        if (o.run_dir.empty())
            throw UsageError("--shard", "give --run-dir: every shard writes into the same folder");
    }
    if (!o.sweep.empty()) {
        spec = parse_sweep(o.sweep);
        for (size_t k = 0; k < spec->values.size(); ++k) {
            const std::string& v = spec->values[k];
            names.push_back(sweep_run_name(*spec, v));
            if (!shard || shard->owns(k))
                runs.push_back({sweep_run_name(*spec, v), apply_sweep_value(base, *spec, v)});
        }
    } else {
        runs.push_back({"", base});
    }
    // Each run's own initial prompt (a sweep may be over [optimizer] prompt), read before
    // anything is written.
    std::vector<std::string> prompts;
    for (const auto& run : runs) prompts.push_back(read_prompt(run.second));
    nlohmann::json sweep_description;
    if (spec)
        sweep_description = {
            {"table", spec->table}, {"key", spec->key}, {"values", spec->values}, {"runs", names}};
    const std::string top = o.run_dir.empty() ? expand_run_dir(base.run.dir, base) : o.run_dir;
    if (shard)
        check_shared_sweep_dir(top, settings_to_toml(base), sweep_description);
    else if (fs::exists(top) && !(fs::is_directory(top) && fs::is_empty(top)))
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
        // Shards write the same two files; whichever lands last is identical to the first.
        write_file_atomically(top + "/config.toml", settings_to_toml(base));
        write_file_atomically(top + "/sweep.json", sweep_description.dump(2) + "\n");
    }
    for (size_t k = 0; k < runs.size(); ++k) {
        const auto& [name, rs] = runs[k];
        std::string path = name.empty() ? top : top + "/" + name;
        // A shard started again (a requeued array task) resumes its sub-runs.
        bool resumed = shard && fs::exists(path + "/config.toml");
        RunDirectory dir = resumed ? RunDirectory::open(path) : RunDirectory::create(path, settings_to_toml(rs));
        run_one(rs, dir, resumed ? initial_prompt_for(rs, dir) : prompts[k], o, w, io, feedback);
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
        if (!o.shard.empty()) throw UsageError("--shard", "cannot be combined with --resume");
        return resume(o, w, io, feedback);
    }
    return fresh(o, w, io, feedback);
}
}  // namespace remask::optimize
