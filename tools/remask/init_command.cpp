// remask init [--task jsonl --data FILE [--metric M | --scorer URL|"CMD ARGS"] | --task sst2 |
//             --task sst5 | --task tau-retail | --task tau-airline] [--target URL|local:PATH]
//             [--model NAME] [--dlm PATH] [--prompt FILE] [--out FILE]
// Prints a commented `remask optimize` config ready to run: `--dry-run` shows its cost.

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "core/error.h"

namespace remask::cli {
namespace {

struct InitOptions {
    std::string task = "jsonl";
    std::string data;
    std::string metric;
    std::string scorer;
    std::string target = "https://api.openai.com/v1";
    std::string model;
    std::string dlm = "models/LLaDA-8B-Instruct";
    std::string prompt;
    std::string out;
};

std::string quoted(const std::string& text) {
    std::ostringstream out;
    out << toml::value<std::string>(text);
    return out.str();
}

// A word list of "python3 score.py --strict" (no quoting rules: argv is printed for editing).
std::vector<std::string> split_words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

// What the first line of a jsonl file says about the metric: has it "expected"?
bool first_line_has_expected(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path, "cannot read the dataset (--data)");
    for (std::string line; std::getline(in, line);) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto doc = nlohmann::json::parse(line, nullptr, false);
        if (doc.is_discarded() || !doc.is_object())
            throw InputError(path + ":1", "not a JSON object (docs/tasks.md has the format)");
        return doc.contains("expected");
    }
    throw InputError(path, "no examples (the file has no JSON lines)");
}

void write_endpoint(std::ostream& out, const InitOptions& o, const std::string& comment) {
    const bool local = o.target.rfind("local:", 0) == 0;
    out << "\n[target]                     # " << comment << "\n";
    if (local) {
        out << "provider = \"local\"           # in-process (a model folder)\n"
            << "model = " << quoted(o.target.substr(6)) << "\n";
    } else {
        const bool openai = o.target.find("api.openai.com") != std::string::npos;
        out << "provider = \"openai\"          # any OpenAI-compatible /v1 endpoint\n"
            << "base_url = " << quoted(o.target) << "\n"
            << "model = " << quoted(o.model.empty() ? "gpt-4o-mini" : o.model) << "\n"
            << "api_key_env = " << quoted(openai ? "OPENAI_API_KEY" : "")
            << "   # the variable holding the key (never the key itself)\n";
    }
    out << "temperature = 0.0\n"
        << "max_tokens = " << (o.task.rfind("tau-", 0) == 0 ? 512 : 256)
        << "          # longest answer\n"
        << "max_in_flight = " << (local ? 1 : 16) << "         # requests at once\n"
        << "price_input_per_mtok = 0.15   # USD per million tokens, for the cost estimate and "
           "caps\n"
        << "price_output_per_mtok = 0.60\n";
}

std::string render(InitOptions o) {
    const bool tau = o.task == "tau-retail" || o.task == "tau-airline";
    if (o.task != "jsonl" && o.task != "sst2" && o.task != "sst5" && !tau)
        throw UsageError("--task",
                         "'" + o.task + "': use jsonl, sst2, sst5, tau-retail or tau-airline");
    if (o.task == "jsonl" && o.data.empty())
        throw UsageError("--data", "required with --task jsonl");
    if (o.task != "jsonl" && (!o.data.empty() || !o.metric.empty() || !o.scorer.empty()))
        throw UsageError("--data/--metric/--scorer", "only for --task jsonl");

    std::string metric = o.metric;
    std::vector<std::string> command;
    std::string url;
    if (o.task == "jsonl") {
        if (!o.scorer.empty()) {
            if (o.scorer.rfind("http://", 0) == 0 || o.scorer.rfind("https://", 0) == 0) {
                url = o.scorer;
                metric = "webhook";
            } else {
                command = split_words(o.scorer);
                metric = "exec";
            }
        }
        const bool has_expected = first_line_has_expected(o.data);
        if (metric.empty()) metric = has_expected ? "contains" : "exec";
        if (metric == "exec" && command.empty()) command = {"python3", "score.py"};
        if (metric == "webhook" && url.empty()) url = "http://127.0.0.1:9000/score";
        if (!has_expected && metric != "exec" && metric != "webhook")
            throw UsageError(
                "--metric",
                "the dataset has no \"expected\": use a scorer (--scorer URL or \"CMD\")");
    }
    if (o.prompt.empty())
        o.prompt = o.task == "jsonl" ? "prompt.txt" : tau ? "" : "prompts/" + o.task + ".txt";

    std::ostringstream out;
    out << "# remask optimize config written by `remask init`. Every key: docs/interfaces.md;\n"
        << "# a walk-through: docs/own-task.md.\n"
        << "#   remask optimize THIS.toml --dry-run   # the projected calls, tokens and money\n"
        << "#   remask optimize THIS.toml             # the run (runs/…/report.html at the end)\n"
        << "\n[task]\n"
        << "name = " << quoted(o.task) << "\n";
    if (o.task == "jsonl") {
        out << "data = " << quoted(o.data)
            << "   # one JSON object a line: input (or messages), expected, id, split\n"
            << "metric = " << quoted(metric)
            << "   # exact | contains | regex | labels | numeric | judge | webhook | exec\n";
    }
    if (tau) {
        out << "train_size = 64         # tasks drawn for minibatches\n"
            << "val_size = 20           # validation tasks\n"
            << "test_size = 0           # 0 = the whole test split, scored once at the end\n"
            << "trials = 1              # episodes per task; > 1 adds pass^k to the report\n"
            << "max_steps = 30          # agent steps per episode\n";
    } else {
        out << "train_size = 64         # examples drawn for minibatches (0 = the whole split)\n"
            << "val_size = 100          # examples scoring each promising candidate\n"
            << "test_size = 0           # 0 = the whole test split (a jsonl file without splits "
               "uses all lines)\n";
    }
    out << "seed = 0\n";
    write_endpoint(out, o,
                   tau ? "the agent whose instructions are optimized"
                       : "the model whose system prompt is optimized");
    if (tau) {
        out << "\n[user]                       # the simulated customer\n"
            << "provider = \"openai\"\nbase_url = \"https://api.openai.com/v1\"\nmodel = "
               "\"gpt-4o\"\n"
            << "api_key_env = \"OPENAI_API_KEY\"\ntemperature = 1.0\nmax_tokens = "
               "256\nmax_in_flight = 8\n"
            << "price_input_per_mtok = 2.50\nprice_output_per_mtok = 10.00\n";
    }
    if (!url.empty() || !command.empty()) {
        out << "\n[scorer]                     # your check: each answer goes to it, it says "
               "pass/score/reason\n";
        if (!url.empty()) {
            out << "url = " << quoted(url)
                << "   # POST {\"output\", \"context\": {\"prompt\", \"vars\"}}\n"
                << "api_key_env = \"\"           # a variable with a Bearer key, if the scorer "
                   "wants one\n";
        } else {
            out << "command = [";
            for (size_t i = 0; i < command.size(); ++i)
                out << (i ? ", " : "") << quoted(command[i]);
            out << "]   # argv, no shell; JSON lines on stdin/stdout (examples/scorers/)\n";
        }
        out << "timeout_s = 30              # per answer, then a retry\n"
            << "max_retries = 2\n"
            << "max_in_flight = 8           # requests (webhook) or processes (exec) at once\n"
            << "cache = true                # a script's scores are cached with its content hash\n";
    }
    out << "\n[dlm]                        # the diffusion model that rewrites spans of the "
           "prompt\n"
        << "model = " << quoted(o.dlm)
        << "   # a folder or .gguf file (or url = a `remask serve`)\n"
        << "steps = 32\n";
    out << "\n[optimizer]\n"
        << "proposer = \"dlm\"             # dlm | ar-rewrite | dlm-blind | random-edit\n"
        << "mask_plan = " << quoted(tau ? "insert" : "random-span") << "\n"
        << "candidates = 4              # children per iteration\n"
        << "minibatch = 8               # examples each child is first tried on\n"
        << "max_prompt_tokens = " << (tau ? 4096 : 1024) << "\n";
    if (!tau)
        out << "prompt = " << quoted(o.prompt)
            << "   # your current system prompt; <keep>…</keep> protects text\n";
    out << "\n[budget]                     # the run stops at the first cap reached (0 = no cap)\n"
        << "target_calls = " << (tau ? 4000 : 400) << "\n";
    if (tau) out << "user_calls = 2000\n";
    out << "usd = " << (tau ? "20.0" : "5.0") << "\n"
        << "\n[run]\n"
        << "dir = \"runs/{task}-{time}\"\n"
        << "seed = 0\n";
    return out.str();
}

}  // namespace

void add_init_command(CLI::App& app) {
    auto options = std::make_shared<InitOptions>();
    CLI::App* init = app.add_subcommand(
        "init", "Print a commented optimize config ready to run (then --dry-run it)");
    init->add_option("--task", options->task,
                     "jsonl (default) | sst2 | sst5 | tau-retail | tau-airline");
    init->add_option("--data", options->data, "jsonl: the dataset file");
    init->add_option("--metric", options->metric,
                     "jsonl: exact | contains | regex | labels | numeric | judge | webhook | exec "
                     "(default: contains with \"expected\", else exec)");
    init->add_option("--scorer", options->scorer,
                     "jsonl: a scorer URL (webhook) or a command line (exec)");
    init->add_option("--target", options->target,
                     "the target: a /v1 URL or local:PATH (default OpenAI)");
    init->add_option("--model", options->model, "the target model name (default gpt-4o-mini)");
    init->add_option("--dlm", options->dlm,
                     "the diffusion model folder (default models/LLaDA-8B-Instruct)");
    init->add_option("--prompt", options->prompt,
                     "the file with the current system prompt (jsonl default prompt.txt)");
    init->add_option("--out", options->out,
                     "write the config here instead of stdout (never overwrites)");
    init->callback([options] {
        const std::string text = render(*options);
        if (options->out.empty()) {
            std::cout << text << std::flush;
            return;
        }
        if (std::filesystem::exists(options->out))
            throw UsageError("--out", options->out + " exists; init never overwrites a config");
        std::ofstream file(options->out, std::ios::binary);
        if (!(file << text) || !file.flush())
            throw ExternalError(options->out, "cannot write the config (--out)");
        std::cerr << "wrote " << options->out << "; next: remask optimize " << options->out
                  << " --dry-run\n";
    });
}

}  // namespace remask::cli
