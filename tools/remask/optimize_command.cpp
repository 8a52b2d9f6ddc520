// remask optimize CONFIG.toml [--resume DIR] [--force] [--run-dir DIR] [--sweep KEY=V1,V2]
//                 [--shard I/N] [--dry-run] [--yes] [--review] [--feedback FILE] [--json]
//                 [--review-web PORT [--review-host H] [--review-api-key-env VAR]]
// The loop lives in src/optimize/ (run_optimize.h); this file only parses flags, turns
// Ctrl-C into a clean stop, and rebuilds report.html at the end.

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "commands.h"
#include "core/error.h"
#include "optimize/run_optimize.h"
#include "report/report.h"
#include "review/live_review.h"
#include "server/http_server.h"

namespace remask::cli {

namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void on_interrupt(int) {
    // A second Ctrl-C ends the process at once; the journal already holds every finished step.
    if (g_stop_requested.exchange(true)) std::_Exit(130);
}

}  // namespace

void add_optimize_command(CLI::App& app) {
    auto* cmd = app.add_subcommand(
        "optimize", "Optimize a system prompt (DLM span rewriting or a baseline proposer)");
    auto o = std::make_shared<remask::optimize::OptimizeOptions>();
    cmd->add_option("CONFIG", o->config_path,
                    "TOML configuration ([task] [target] [dlm] [optimizer] [budget] [run])");
    cmd->add_option("--resume", o->resume_dir, "Continue the run in this directory");
    cmd->add_flag("--force", o->force,
                  "With --resume: continue with CONFIG even though it differs from the stored one");
    cmd->add_option("--run-dir", o->run_dir, "Run directory (default: [run] dir)");
    cmd->add_option("--sweep", o->sweep,
                    "KEY=V1,V2,...: one run per value of a [dlm] or [optimizer] key, same budget");
    cmd->add_option("--shard", o->shard,
                    "I/N: run shard I (1-based) of N of the sweep's sub-runs into --run-dir; merge "
                    "with `remask report DIR` when every shard is done");
    cmd->add_flag("--dry-run", o->dry_run,
                  "Print the projected calls, tokens, money and DLM time, then exit");
    cmd->add_flag("-y,--yes", o->yes, "Start without asking for confirmation");
    cmd->add_flag("--review", o->review,
                  "Show each iteration's traces and children; comment, veto or pick");
    cmd->add_option("--feedback", o->feedback_path,
                    "JSONL of people's comments on examples ({id|input, comment, score})");
    cmd->add_flag("--json", o->json, "Print summary.json lines instead of text");
    auto web = std::make_shared<remask::review::ReviewOptions>();
    auto web_port = std::make_shared<int>(-1);
    auto web_key_env = std::make_shared<std::string>();
    cmd->add_option("--review-web", *web_port,
                    "Serve the review page of the run on this port (0 = any free port); with [optimizer] review = "
                    "\"web\" each iteration waits for its decision")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--review-host", web->host, "Address of the review page (default 127.0.0.1)");
    cmd->add_option("--review-api-key-env", *web_key_env,
                    "Key for the review page's API, read from this environment variable (needed off loopback)");
    cmd->callback([o, web, web_port, web_key_env] {
        g_stop_requested = false;
        auto previous = std::signal(SIGINT, on_interrupt);
        remask::optimize::OptimizeIo io;
        io.in = &std::cin;
        io.out = &std::cout;
        io.err = &std::cerr;
        io.hooks.stop_requested = &g_stop_requested;
        if (*web_port >= 0) {
            remask::review::LiveReviewOptions live{*web, &std::cerr, &g_stop_requested};
            live.server.port = *web_port;
            if (!web_key_env->empty()) {
                const char* key = std::getenv(web_key_env->c_str());
                if (key == nullptr || *key == '\0')
                    throw UsageError("--review-api-key-env", "environment variable " + *web_key_env + " is not set or empty");
                live.server.api_key = key;
            }
            if (live.server.api_key.empty() && !is_loopback_host(live.server.host))
                throw UsageError("--review-host", "'" + live.server.host +
                                                      "' is not a loopback address: set --review-api-key-env VAR");
            io.live_review = remask::review::make_live_review_factory(live);
        }
        std::string dir;
        try {
            dir =
                remask::optimize::run_optimize_command(*o, remask::optimize::default_wiring(), io);
        } catch (...) {
            std::signal(SIGINT, previous);
            throw;
        }
        std::signal(SIGINT, previous);
        // A shard's sweep is not complete yet: `remask report DIR` merges it at the end.
        if (!dir.empty() && o->shard.empty())
            std::cerr << "report: " << remask::report::write_report(dir) << "\n";
        else if (!dir.empty())
            std::cerr << "shard " << o->shard << " done; once every shard is: remask report " << dir << "\n";
    });
}

}  // namespace remask::cli
