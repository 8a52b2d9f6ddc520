// remask eval --task sst2|sst5|jsonl [--data FILE --metric M] [--split dev] [--limit N]
//             --prompt FILE --target TARGET [--model NAME] [--config FILE.toml]
//             [--out FILE.jsonl] [--json] [--no-cache] [--seed N]
// Scores one system prompt on a task split: prints the expected calls and cost to stderr,
// shows progress, then prints a table of metrics and cost (or --json) to stdout.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "commands.h"
#include "core/error.h"
#include "core/log.h"
#include "core/settings.h"
#include "llm/factory.h"
#include "tasks/eval_report.h"
#include "tasks/evaluator.h"
#include "tasks/metrics.h"
#include "tasks/registry.h"
#include "eval_tau.h"

namespace remask::cli {
namespace {

struct EvalCommandOptions {
    std::string task;
    std::string data;
    std::string metric;
    std::string rubric;
    std::string split;  // "" = dev, or test for tau-bench
    std::string agent = "llm";
    std::string user;
    int trials = 1;
    std::optional<int64_t> limit;
    std::string prompt_file;
    std::string target;
    std::string model;
    std::string judge;
    std::string config;
    std::string out;
    bool json = false;
    bool no_cache = false;
    std::optional<int64_t> seed;
    std::optional<double> tolerance;
    std::string labels;
    std::string data_dir;
};

std::string read_prompt(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "cannot read the prompt file (--prompt)");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

// The split's size from [task] when a config file was given, else the whole split.
size_t configured_size(const TaskSettings& task, const std::string& split, bool from_config) {
    if (!from_config) return 0;
    if (split == "train") return static_cast<size_t>(task.train_size);
    if (split == "dev") return static_cast<size_t>(task.val_size);
    return static_cast<size_t>(task.test_size);
}

// `--task tau-retail|tau-airline`: episodes with a simulated user (eval_tau.h).
void run_tau(const EvalCommandOptions& options, const Settings& settings, const std::string& task_name) {
    TauEvalArgs args;
    args.task = task_name;
    args.split = options.split.empty() ? "test" : options.split;
    args.agent = options.agent;
    args.trials = options.trials;
    args.limit = options.limit ? static_cast<int>(*options.limit) : 0;
    args.out = options.out;
    args.json = options.json;
    args.prompt_file = options.prompt_file;
    args.seed = static_cast<uint64_t>(options.seed.value_or(settings.task.seed));
    args.data_dir = options.data_dir;
    if (options.agent == "llm") {
        if (options.target.empty() && options.config.empty())
            throw UsageError("--target", "required with --agent llm (or --config FILE with a [target] table)");
        EndpointSettings target = !options.target.empty() ? parse_target_argument(options.target, options.model)
                                                          : settings.target;
        EndpointSettings user = !options.user.empty() ? parse_target_argument(options.user, "")
                                : settings.user      ? *settings.user
                                                     : target;
        auto accounting = std::make_shared<Accounting>();
        ClientOptions client;
        client.cache_path = settings.run.cache;
        client.use_cache = !options.no_cache;
        client.accounting = accounting;
        args.make_target = [target, client] {
            ClientOptions o = client;
            o.kind = "target";
            return make_language_model(target, o);
        };
        args.make_user = [user, client] {
            ClientOptions o = client;
            o.kind = "user";
            return make_language_model(user, o);
        };
        args.target_price_input_per_mtok = target.price_input_per_mtok;
        args.target_price_output_per_mtok = target.price_output_per_mtok;
        args.user_price_input_per_mtok = user.price_input_per_mtok;
        args.user_price_output_per_mtok = user.price_output_per_mtok;
        args.temperature = target.temperature;
        args.max_tokens = target.max_tokens;
        args.concurrency = static_cast<int>(std::max<int64_t>(1, target.max_in_flight));
    }
    run_tau_eval(args);
}

void run_eval(const EvalCommandOptions& given) {
    EvalCommandOptions options = given;
    const bool from_config = !options.config.empty();
    Settings settings = from_config ? load_settings(options.config) : Settings{};
    TaskSettings& task_settings = settings.task;
    if (!options.task.empty()) task_settings.name = options.task;
    if (!options.data.empty()) task_settings.data = options.data;
    if (!options.metric.empty()) task_settings.metric = options.metric;
    if (!options.rubric.empty()) task_settings.rubric = options.rubric;
    if (options.seed) task_settings.seed = *options.seed;
    if (!from_config && options.task.empty())
        throw UsageError("--task", "required (sst2, sst5, jsonl, tau-retail, tau-airline), or --config FILE with a [task] table");
    if (task_settings.name.rfind("tau-", 0) == 0) {
        run_tau(options, settings, task_settings.name);
        return;
    }
    if (options.agent != "llm") throw UsageError("--agent", "only tau-bench tasks take an agent");
    if (options.prompt_file.empty()) throw UsageError("--prompt", "required: the file holding the system prompt");
    if (options.split.empty()) options.split = "dev";
    if (options.limit && *options.limit < 0) throw UsageError("--limit", "must not be negative");

    EndpointSettings target_settings;
    if (!options.target.empty()) {
        target_settings = parse_target_argument(options.target, options.model);
    } else if (from_config) {
        target_settings = settings.target;
        if (!options.model.empty()) target_settings.model = options.model;
    } else {
        throw UsageError("--target", "required (a /v1 URL, local:PATH or a TOML file), or --config FILE");
    }
    const std::string system_prompt = read_prompt(options.prompt_file);

    auto accounting = std::make_shared<Accounting>();
    ClientOptions client_options;
    client_options.cache_path = settings.run.cache;
    client_options.use_cache = !options.no_cache;
    client_options.accounting = accounting;

    // A judge only for jsonl with metric judge: --judge, else [judge], else the target.
    std::unique_ptr<LanguageModel> judge;
    std::optional<EndpointSettings> judge_settings;
    if (task_settings.name == "jsonl" && task_settings.metric == "judge") {
        judge_settings = !options.judge.empty() ? parse_target_argument(options.judge, "")
                         : settings.judge      ? *settings.judge
                                               : target_settings;
        ClientOptions judge_options = client_options;
        judge_options.kind = "judge";
        judge = make_language_model(*judge_settings, judge_options);
    }

    TaskContext context;
    ScorerOptions scorer_options;
    scorer_options.cache_path = settings.run.cache;
    scorer_options.use_cache = !options.no_cache;
    if (task_settings.name == "jsonl") {
        require_scorer_for_metric(task_settings.metric, settings.scorer,
                                  from_config ? options.config : "--metric " + task_settings.metric + " (needs --config)");
        context.scorer = make_scorer(task_settings.metric, settings.scorer, scorer_options);
        if (context.scorer) log_info("scorer: ", context.scorer->describe());
    }
    context.data_dir = options.data_dir;
    context.judge = judge.get();
    if (options.tolerance) context.tolerance = *options.tolerance;
    context.labels = split_commas(options.labels);
    const std::unique_ptr<Task> task = make_task(task_settings, context);

    const size_t wanted = options.limit ? static_cast<size_t>(*options.limit)
                                        : configured_size(task_settings, options.split, from_config);
    const uint64_t seed = static_cast<uint64_t>(task_settings.seed);
    const std::vector<Example> examples = task->subset(options.split, wanted, seed);

    PriceSheet target_price{target_settings.price_input_per_mtok, target_settings.price_output_per_mtok,
                            target_settings.max_tokens};
    std::optional<PriceSheet> judge_price;
    if (judge_settings)
        judge_price = PriceSheet{judge_settings->price_input_per_mtok, judge_settings->price_output_per_mtok,
                                 judge_settings->max_tokens};
    const CostEstimate estimate = estimate_cost(*task, system_prompt, examples, target_price,
                                                judge_price ? &*judge_price : nullptr,
                                                judge ? task_settings.rubric : "");
    std::cerr << describe_estimate(estimate, examples.size()) << std::endl;

    const auto target = make_language_model(target_settings, client_options);
    log_info("target: ", target->describe());
    EvalOptions eval_options;
    eval_options.concurrency = static_cast<size_t>(std::max<int64_t>(1, target_settings.max_in_flight));
    eval_options.progress_label = "eval " + task->name() + " " + options.split;
    const EvalResult result = Evaluator(*task, *target, eval_options).run(system_prompt, examples);
    const Metrics metrics = compute_metrics(result.rows, task->labels(), seed);

    if (!options.out.empty()) {
        std::ofstream out(options.out, std::ios::binary | std::ios::trunc);
        if (!out) throw ExternalError(options.out, "cannot write the rows file (--out)");
        for (const auto& row : result.rows) out << eval_row_json(row).dump() << "\n";
        if (!out.flush()) throw ExternalError(options.out, "write failed (--out)");
    }

    const KindTotals target_totals = accounting->totals("target");
    const KindTotals judge_totals = accounting->totals("judge");
    const double usd = accounting->overall().usd;
    if (options.json) {
        std::cout << eval_summary_json(task->name(), options.split, metrics, target_totals.calls, usd).dump()
                  << std::endl;
        return;
    }
    SpendSummary spend;
    spend.target_calls = target_totals.calls;
    spend.cache_hits = target_totals.cache_hits;
    spend.target_usage = {target_totals.prompt_tokens, target_totals.completion_tokens};
    spend.judge_calls = judge_totals.calls;
    spend.judge_usage = {judge_totals.prompt_tokens, judge_totals.completion_tokens};
    if (context.scorer) {
        spend.scorer_calls = context.scorer->calls();
        spend.scorer_cache_hits = context.scorer->cache_hits();
    }
    spend.usd = usd;
    std::cout << eval_table(task->name(), options.split, metrics, spend) << std::flush;
}

}  // namespace

void add_eval_command(CLI::App& app) {
    auto options = std::make_shared<EvalCommandOptions>();
    CLI::App* eval = app.add_subcommand("eval", "Score a system prompt on a task split (SST-2, SST-5, a JSONL dataset, tau-bench)");
    eval->add_option("--task", options->task, "sst2 | sst5 | jsonl (default: [task] name of --config)");
    eval->add_option("--data", options->data, "jsonl: the dataset file");
    eval->add_option("--metric", options->metric, "jsonl: exact | contains | regex | labels | numeric | judge | webhook | exec ([scorer] of --config)")
        ->check(CLI::IsMember({"exact", "contains", "regex", "labels", "numeric", "judge", "webhook", "exec"}));
    eval->add_option("--rubric", options->rubric, "jsonl judge: the rubric, or a file holding it");
    eval->add_option("--labels", options->labels, "jsonl labels: the label set, comma-separated");
    eval->add_option("--tolerance", options->tolerance, "jsonl numeric: absolute tolerance (default 1e-6)");
    eval->add_option("--split", options->split, "train | dev | test (default dev; tau-bench: test; tau-airline also all)")
        ->check(CLI::IsMember({"train", "dev", "test", "all"}));
    eval->add_option("--agent", options->agent, "tau-bench: llm (the target) | oracle (replays the ground truth)")
        ->check(CLI::IsMember({"llm", "oracle"}));
    eval->add_option("--user", options->user, "tau-bench: the simulated user (a --target style argument; default [user], else the target)");
    eval->add_option("--trials", options->trials, "tau-bench: trials per task; reports pass^k for k = 1..N");
    eval->add_option("--limit", options->limit,
                     "Score N examples drawn by seed, stratified by label (default: [task] size, else all)");
    eval->add_option("--prompt", options->prompt_file,
                     "File holding the system prompt (tau-bench: the instructions section after the policy)");
    eval->add_option("--target", options->target,
                     "Base URL ending in /v1, local:PATH, or a TOML file with a [target] table");
    eval->add_option("--model", options->model, "Target model name");
    eval->add_option("--judge", options->judge, "jsonl judge: the judge model (a --target style argument)");
    eval->add_option("--config", options->config, "TOML file; eval reads [task] [target] (and [judge], [scorer], [run] cache)");
    eval->add_option("--out", options->out, "Write one JSON line per example here");
    eval->add_flag("--json", options->json, "Print the summary as one JSON object");
    eval->add_flag("--no-cache", options->no_cache, "Neither read nor write the call cache");
    eval->add_option("--seed", options->seed, "Seed for the sample and the bootstrap (default: [task] seed, 0)");
    eval->add_option("--data-dir", options->data_dir, "Folder holding sst2/ and sst5/ (default: $REMASK_DATA, ./data)");
    eval->callback([options] { run_eval(*options); });
}

}  // namespace remask::cli
