#include "core/settings.h"

#include <sstream>

#include "core/cache_location.h"
#include "core/error.h"

namespace remask {
namespace {

void require_one_of(const TomlTable& table, const std::string& key, const std::string& value,
                    const std::vector<std::string>& allowed) {
    for (const auto& a : allowed)
        if (a == value) return;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw InputError(table.where(key), "'" + value + "' is not one of " + list);
}

void require_non_negative(const TomlTable& table, const std::string& key, double value) {
    if (value < 0) throw InputError(table.where(key), "must not be negative");
}

TaskSettings read_task(TomlTable table) {
    TaskSettings s;
    s.name = table.get_string("name", s.name);
    s.data = table.get_string("data", s.data);
    s.metric = table.get_string("metric", s.metric);
    s.rubric = table.get_string("rubric", s.rubric);
    s.train_size = table.get_int("train_size", s.train_size);
    s.val_size = table.get_int("val_size", s.val_size);
    s.test_size = table.get_int("test_size", s.test_size);
    s.seed = table.get_int("seed", s.seed);
    s.whole_prompt = table.get_bool("whole_prompt", s.whole_prompt);
    s.trials = table.get_int("trials", s.trials);
    s.max_steps = table.get_int("max_steps", s.max_steps);
    if (s.trials < 1) throw InputError(table.where("trials"), "must be at least 1 (episodes per task)");
    if (s.max_steps < 1) throw InputError(table.where("max_steps"), "must be at least 1 (agent steps per episode)");
    require_one_of(table, "metric", s.metric, {"exact", "contains", "regex", "labels", "numeric", "judge", "webhook", "exec"});
    require_non_negative(table, "train_size", s.train_size);
    require_non_negative(table, "val_size", s.val_size);
    require_non_negative(table, "test_size", s.test_size);
    table.reject_unknown_keys();
    return s;
}

DlmSettings read_dlm(TomlTable table) {
    DlmSettings s;
    s.model = table.get_string("model", s.model);
    if (table.is_array("url")) {
        s.urls = table.get_string_array("url", {});
        if (s.urls.empty()) throw InputError(table.where("url"), "give at least one URL");
        s.url = s.urls.front();
    } else {
        s.url = table.get_string("url", s.url);
        if (!s.url.empty()) s.urls = {s.url};
    }
    s.timeout_s = table.get_double("timeout_s", s.timeout_s);
    if (!(s.timeout_s > 0)) throw InputError(table.where("timeout_s"), "must be a positive number of seconds");
    s.api_key_env = table.get_string("api_key_env", s.api_key_env);
    s.sampler = table.get_string("sampler", s.sampler);
    s.steps = table.get_int("steps", s.steps);
    s.temperature = table.get_double("temperature", s.temperature);
    s.block_length = table.get_int("block_length", s.block_length);
    s.threshold = table.get_double("threshold", s.threshold);
    s.threads = table.get_int("threads", s.threads);
    s.quant = table.get_string("quant", s.quant);
    s.kv_cache = table.get_string("kv_cache", s.kv_cache);
    s.kv_refresh = table.get_int("kv_refresh", s.kv_refresh);
    s.compute = table.get_string("compute", s.compute);
    require_one_of(table, "sampler", s.sampler,
                   {"low_confidence", "random", "origin", "maskgit_plus", "topk_margin", "entropy"});
    require_one_of(table, "quant", s.quant, {"none", "int8"});
    require_one_of(table, "kv_cache", s.kv_cache, {"dual", "none"});
    require_one_of(table, "compute", s.compute, {"auto", "f32", "bf16"});
    if (s.kv_refresh < 1) throw InputError(table.where("kv_refresh"), "must be at least 1");
    if (s.steps < 1) throw InputError(table.where("steps"), "must be at least 1");
    require_non_negative(table, "temperature", s.temperature);
    require_non_negative(table, "block_length", s.block_length);
    require_non_negative(table, "threads", s.threads);
    table.reject_unknown_keys();
    return s;
}

OptimizerSettings read_optimizer(TomlTable table) {
    OptimizerSettings s;
    s.proposer = table.get_string("proposer", s.proposer);
    s.mask_plan = table.get_string("mask_plan", s.mask_plan);
    s.mask_ratio = table.get_double_array("mask_ratio", s.mask_ratio);
    s.slack = table.get_int("slack", s.slack);
    s.candidates = table.get_int("candidates", s.candidates);
    s.minibatch = table.get_int("minibatch", s.minibatch);
    s.selection = table.get_string("selection", s.selection);
    s.max_prompt_tokens = table.get_int("max_prompt_tokens", s.max_prompt_tokens);
    s.patience = table.get_int("patience", s.patience);
    s.prompt = table.get_string("prompt", s.prompt);
    s.review = table.get_string("review", s.review);
    require_one_of(table, "review", s.review, {"none", "terminal", "web"});
    require_one_of(table, "proposer", s.proposer, {"dlm", "ar-rewrite", "dlm-blind", "random-edit"});
    require_one_of(table, "mask_plan", s.mask_plan, {"random-span", "sentence", "insert", "confidence"});
    require_one_of(table, "selection", s.selection, {"best", "pareto"});
    if (s.mask_ratio.size() != 2 || s.mask_ratio[0] < 0 || s.mask_ratio[1] > 1 ||
        s.mask_ratio[0] > s.mask_ratio[1])
        throw InputError(table.where("mask_ratio"), "expected [min, max] with 0 <= min <= max <= 1");
    if (s.candidates < 1) throw InputError(table.where("candidates"), "must be at least 1");
    if (s.minibatch < 1) throw InputError(table.where("minibatch"), "must be at least 1");
    require_non_negative(table, "slack", s.slack);
    require_non_negative(table, "patience", s.patience);
    table.reject_unknown_keys();
    return s;
}

BudgetSettings read_budget(TomlTable table) {
    BudgetSettings s;
    s.target_calls = table.get_int("target_calls", s.target_calls);
    s.user_calls = table.get_int("user_calls", s.user_calls);
    s.dlm_forwards = table.get_int("dlm_forwards", s.dlm_forwards);
    s.tokens = table.get_int("tokens", s.tokens);
    s.usd = table.get_double("usd", s.usd);
    s.wall_s = table.get_double("wall_s", s.wall_s);
    require_non_negative(table, "target_calls", s.target_calls);
    require_non_negative(table, "user_calls", s.user_calls);
    require_non_negative(table, "dlm_forwards", s.dlm_forwards);
    require_non_negative(table, "tokens", s.tokens);
    require_non_negative(table, "usd", s.usd);
    require_non_negative(table, "wall_s", s.wall_s);
    table.reject_unknown_keys();
    return s;
}

RunSettings read_run(TomlTable table) {
    RunSettings s;
    s.dir = table.get_string("dir", s.dir);
    s.seed = table.get_int("seed", s.seed);
    s.cache = table.get_string("cache", s.cache);
    check_cache_location(s.cache, table.where("cache"));
    table.reject_unknown_keys();
    return s;
}

Settings read_document(const TomlDocument& doc) {
    doc.reject_unknown_tables(
        {"task", "target", "user", "rewriter", "judge", "scorer", "dlm", "optimizer", "budget", "run"});
    Settings s;
    s.source_file = doc.file();
    s.task = read_task(doc.table("task"));
    s.target = read_endpoint(doc.table("target"));
    if (doc.has_table("user")) s.user = read_endpoint(doc.table("user"));
    if (doc.has_table("rewriter")) s.rewriter = read_endpoint(doc.table("rewriter"));
    if (doc.has_table("judge")) s.judge = read_endpoint(doc.table("judge"));
    s.scorer = read_scorer(doc.table("scorer"));
    if (s.task.name == "jsonl") require_scorer_for_metric(s.task.metric, s.scorer, doc.file());
    s.dlm = read_dlm(doc.table("dlm"));
    s.optimizer = read_optimizer(doc.table("optimizer"));
    // tau-*: no prompt file means empty instructions, i.e. upstream's prompt exactly.
    if (s.task.name.rfind("tau-", 0) == 0 && !doc.table("optimizer").has("prompt")) s.optimizer.prompt = "";
    s.budget = read_budget(doc.table("budget"));
    s.run = read_run(doc.table("run"));
    return s;
}

std::string quoted(const std::string& text) {
    std::ostringstream out;
    out << toml::value<std::string>(text);  // toml++ writes a quoted, escaped string
    return out.str();
}

// One URL as a string (as most configs write it), replicas as a list.
std::string dlm_urls_toml(const DlmSettings& dlm) {
    if (dlm.urls.size() <= 1) return quoted(dlm.url);
    std::string list = "[";
    for (size_t i = 0; i < dlm.urls.size(); ++i) list += (i ? ", " : "") + quoted(dlm.urls[i]);
    return list + "]";
}

void write_endpoint(std::ostringstream& out, const std::string& name, const EndpointSettings& e) {
    out << "[" << name << "]\n"
        << "provider = " << quoted(e.provider) << "\n"
        << "base_url = " << quoted(e.base_url) << "\n"
        << "model = " << quoted(e.model) << "\n"
        << "api_key_env = " << quoted(e.api_key_env) << "\n"
        << "temperature = " << e.temperature << "\n"
        << "max_tokens = " << e.max_tokens << "\n"
        << "max_in_flight = " << e.max_in_flight << "\n"
        << "rpm = " << e.rpm << "\n"
        << "tpm = " << e.tpm << "\n"
        << "timeout_s = " << e.timeout_s << "\n"
        << "max_retries = " << e.max_retries << "\n"
        << "price_input_per_mtok = " << e.price_input_per_mtok << "\n"
        << "price_output_per_mtok = " << e.price_output_per_mtok << "\n\n";
}

}  // namespace

EndpointSettings read_endpoint(TomlTable table) {
    EndpointSettings s;
    s.provider = table.get_string("provider", s.provider);
    s.base_url = table.get_string("base_url", s.base_url);
    s.model = table.get_string("model", s.model);
    s.api_key_env = table.get_string("api_key_env", s.api_key_env);
    s.temperature = table.get_double("temperature", s.temperature);
    s.max_tokens = table.get_int("max_tokens", s.max_tokens);
    s.max_in_flight = table.get_int("max_in_flight", s.max_in_flight);
    s.rpm = table.get_int("rpm", s.rpm);
    s.tpm = table.get_int("tpm", s.tpm);
    s.timeout_s = table.get_double("timeout_s", s.timeout_s);
    s.max_retries = table.get_int("max_retries", s.max_retries);
    s.price_input_per_mtok = table.get_double("price_input_per_mtok", s.price_input_per_mtok);
    s.price_output_per_mtok = table.get_double("price_output_per_mtok", s.price_output_per_mtok);
    require_one_of(table, "provider", s.provider, {"openai", "local"});
    if (s.max_in_flight < 1) throw InputError(table.where("max_in_flight"), "must be at least 1");
    if (s.timeout_s <= 0) throw InputError(table.where("timeout_s"), "must be positive");
    require_non_negative(table, "temperature", s.temperature);
    require_non_negative(table, "max_tokens", s.max_tokens);
    require_non_negative(table, "rpm", s.rpm);
    require_non_negative(table, "tpm", s.tpm);
    require_non_negative(table, "max_retries", s.max_retries);
    require_non_negative(table, "price_input_per_mtok", s.price_input_per_mtok);
    require_non_negative(table, "price_output_per_mtok", s.price_output_per_mtok);
    table.reject_unknown_keys();
    return s;
}

Settings load_settings(const std::string& path) { return read_document(TomlDocument::load(path)); }

Settings parse_settings(const std::string& text, const std::string& source_name) {
    return read_document(TomlDocument::parse(text, source_name));
}

std::string settings_to_toml(const Settings& s) {
    std::ostringstream out;
    out << "[task]\n"
        << "name = " << quoted(s.task.name) << "\n"
        << "data = " << quoted(s.task.data) << "\n"
        << "metric = " << quoted(s.task.metric) << "\n"
        << "rubric = " << quoted(s.task.rubric) << "\n"
        << "train_size = " << s.task.train_size << "\n"
        << "val_size = " << s.task.val_size << "\n"
        << "test_size = " << s.task.test_size << "\n"
        << "seed = " << s.task.seed << "\n"
        << "whole_prompt = " << (s.task.whole_prompt ? "true" : "false") << "\n"
        << "trials = " << s.task.trials << "\n"
        << "max_steps = " << s.task.max_steps << "\n\n";
    write_endpoint(out, "target", s.target);
    if (s.user) write_endpoint(out, "user", *s.user);
    if (s.rewriter) write_endpoint(out, "rewriter", *s.rewriter);
    if (s.judge) write_endpoint(out, "judge", *s.judge);
    if (s.task.metric == "webhook" || s.task.metric == "exec") write_scorer(out, s.scorer, quoted);
    out << "[dlm]\n"
        << "model = " << quoted(s.dlm.model) << "\n"
        << "url = " << dlm_urls_toml(s.dlm) << "\n"
        << "api_key_env = " << quoted(s.dlm.api_key_env) << "\n"
        << "timeout_s = " << s.dlm.timeout_s << "\n"
        << "sampler = " << quoted(s.dlm.sampler) << "\n"
        << "steps = " << s.dlm.steps << "\n"
        << "temperature = " << s.dlm.temperature << "\n"
        << "block_length = " << s.dlm.block_length << "\n"
        << "threshold = " << s.dlm.threshold << "\n"
        << "threads = " << s.dlm.threads << "\n"
        << "quant = " << quoted(s.dlm.quant) << "\n"
        << "kv_cache = " << quoted(s.dlm.kv_cache) << "\n"
        << "kv_refresh = " << s.dlm.kv_refresh << "\n"
        << "compute = " << quoted(s.dlm.compute) << "\n\n";
    out << "[optimizer]\n"
        << "proposer = " << quoted(s.optimizer.proposer) << "\n"
        << "mask_plan = " << quoted(s.optimizer.mask_plan) << "\n"
        << "mask_ratio = [" << s.optimizer.mask_ratio[0] << ", " << s.optimizer.mask_ratio[1] << "]\n"
        << "slack = " << s.optimizer.slack << "\n"
        << "candidates = " << s.optimizer.candidates << "\n"
        << "minibatch = " << s.optimizer.minibatch << "\n"
        << "selection = " << quoted(s.optimizer.selection) << "\n"
        << "max_prompt_tokens = " << s.optimizer.max_prompt_tokens << "\n"
        << "patience = " << s.optimizer.patience << "\n"
        << "prompt = " << quoted(s.optimizer.prompt) << "\n"
        << "review = " << quoted(s.optimizer.review) << "\n\n";
    out << "[budget]\n"
        << "target_calls = " << s.budget.target_calls << "\n"
        << "user_calls = " << s.budget.user_calls << "\n"
        << "dlm_forwards = " << s.budget.dlm_forwards << "\n"
        << "tokens = " << s.budget.tokens << "\n"
        << "usd = " << s.budget.usd << "\n"
        << "wall_s = " << s.budget.wall_s << "\n\n";
    out << "[run]\n"
        << "dir = " << quoted(s.run.dir) << "\n"
        << "seed = " << s.run.seed << "\n"
        << "cache = " << quoted(s.run.cache) << "\n";
    return out.str();
}

}  // namespace remask
