// `remask review RUN_DIR [--host 127.0.0.1] [--port 8090] [--api-key-env VAR]`: the review
// page of a run directory (src/review/, docs/review.md). SIGTERM or SIGINT stops it.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

#include "commands.h"
#include "core/error.h"
#include "review/review_app.h"
#include "review/run_reader.h"
#include "server/http_server.h"

namespace remask::cli {
namespace {

struct ReviewArgs {
    std::string run_dir;
    review::ReviewOptions options;
    std::string api_key_env;
    std::string port_file;
};

// The key comes from the environment, never the command line; another host needs one.
std::string review_key(const std::string& api_key_env, const std::string& host) {
    std::string key;
    if (!api_key_env.empty()) {
        const char* value = std::getenv(api_key_env.c_str());
        if (value == nullptr || *value == '\0')
            throw UsageError("--api-key-env",
                             "environment variable " + api_key_env + " is not set or empty");
        key = value;
    }
    if (key.empty() && !is_loopback_host(host))
        throw UsageError("--host",
                         "'" + host +
                             "' is not a loopback address: set --api-key-env VAR (the key in that "
                             "environment variable); the page asks for it");
    return key;
}

void run_review_command(const ReviewArgs& a) {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    review::ReviewOptions options = a.options;
    options.api_key = review_key(a.api_key_env, options.host);
    review::RunReader check(a.run_dir);  // UsageError when it is not a run directory
    review::ReviewApp app(a.run_dir, options, nullptr);
    const int port = app.bind();
    if (!a.port_file.empty()) {
        std::ofstream(a.port_file + ".tmp") << port << '\n';
        std::rename((a.port_file + ".tmp").c_str(), a.port_file.c_str());
    }
    std::cerr << "review page of " << a.run_dir << ": " << app.url()
              << (options.api_key.empty() ? "" : " (key required)") << "\n";
    std::thread waiter([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        app.stop();
    });
    app.run();
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
}

}  // namespace

void add_review_command(CLI::App& app) {
    auto args = std::make_shared<ReviewArgs>();
    CLI::App* cmd = app.add_subcommand(
        "review", "Serve the review page of a run directory (read traces, rescore, note)");
    cmd->add_option("RUN_DIR", args->run_dir, "Run directory of remask optimize")->required();
    cmd->add_option("--host", args->options.host, "Address to listen on (default 127.0.0.1)");
    cmd->add_option("--port", args->options.port, "Port (default 8090; 0 = any free port)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--api-key-env", args->api_key_env,
                    "Require Authorization: Bearer <key> on the API, the key read from this "
                    "environment variable");
    cmd->add_option("--port-file", args->port_file,
                    "Write the port here once listening (for scripts)");
    cmd->callback([args] { run_review_command(*args); });
}

}  // namespace remask::cli
