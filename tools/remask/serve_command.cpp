// `remask serve`: one model behind an OpenAI-compatible HTTP API (INTERFACES.md).
// SIGTERM or SIGINT stops accepting, finishes the requests in flight, then exits.

#include <csignal>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "commands.h"
#include "core/error.h"
#include "core/log.h"
#include "core/thread_pool.h"
#include "server/http_server.h"
#include "server/model_backend.h"

namespace remask::cli {
namespace {

struct ServeArgs {
    std::string model_dir;
    std::string name;
    ServeOptions options;
    int64_t threads = 0;
    std::string quant = "none";
    std::string port_file;
};

void run_serve_command(const ServeArgs& a) {
    // Signals are taken by one waiting thread (sigwait), never by a handler, so stopping
    // the server happens on an ordinary thread. Blocked before any thread starts.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    if (a.threads > 0) ThreadPool::set_global_threads(static_cast<size_t>(a.threads));
    ModelServeBackend backend(a.model_dir, a.name, a.quant);
    HttpServer server(backend, a.options);
    int port = server.bind();
    if (!a.port_file.empty()) {
        std::ofstream out(a.port_file + ".tmp");
        out << port << '\n';
        out.close();
        std::rename((a.port_file + ".tmp").c_str(), a.port_file.c_str());
    }
    log_line(LogLevel::info, "serving " + backend.model_id() + (backend.is_diffusion() ? " (diffusion)" : " (causal)") +
                                 " at http://" + a.options.host + ":" + std::to_string(port) + "/v1");

    std::thread waiter([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        log_line(LogLevel::info, "stopping: finishing requests in flight");
        server.stop();
    });
    server.run();
    // run() also returns if the listener fails; wake the waiter so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
}

}  // namespace

void add_serve_command(CLI::App& app) {
    auto args = std::make_shared<ServeArgs>();
    CLI::App* cmd = app.add_subcommand("serve", "Serve a model over an OpenAI-compatible HTTP API (+ /v1/infill)");
    cmd->add_option("--model", args->model_dir, "Model folder (causal or diffusion)")->required();
    cmd->add_option("--port", args->options.port, "Port (0 = any free port)");
    cmd->add_option("--host", args->options.host, "Address to listen on");
    cmd->add_option("--name", args->name, "Model id listed by /v1/models (default: the folder's name)");
    cmd->add_option("--max-active", args->options.max_active, "Requests computed at once");
    cmd->add_option("--max-queue", args->options.max_queued, "Requests waiting; beyond that 503 + Retry-After");
    cmd->add_option("--max-body-bytes", args->options.max_body_bytes, "Larger request bodies get 413");
    cmd->add_option("--threads", args->threads, "Engine worker threads, 0 = all cores");
    cmd->add_option("--quant", args->quant, "Weights of a diffusion model: none | int8 (quantized at load)")
        ->check(CLI::IsMember({"none", "int8"}));
    cmd->add_option("--port-file", args->port_file, "Write the port here once listening (for scripts)");
    cmd->callback([args] { run_serve_command(*args); });
}

}  // namespace remask::cli
