// `remask serve`: one model behind an OpenAI-compatible HTTP API (INTERFACES.md).
// SIGTERM or SIGINT stops accepting, finishes the requests in flight, then exits.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
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
    std::string api_key_env;
    bool insecure = false;
    std::string max_memory;  // "" = 80% of physical memory
};

// "16G", "512M", "1.5GB", "2000000000" -> bytes.
int64_t parse_memory_size(const std::string& text) {
    size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    std::string unit = text.substr(used);
    for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!unit.empty() && unit.back() == 'B') unit.pop_back();
    const double scale = unit.empty() ? 1 : unit == "K" ? 1e3 : unit == "M" ? 1e6 : unit == "G" ? 1e9 : unit == "T" ? 1e12 : 0;
    if (used == 0 || scale == 0 || !(value > 0) || value * scale > 9e18)
        throw UsageError("--max-memory", "'" + text + "' is not a size such as 16G, 512M or a number of bytes");
    return static_cast<int64_t>(value * scale);
}

int64_t physical_memory() {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : int64_t{8} << 30;
}

std::string gigabytes(int64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f GB", static_cast<double>(bytes) / 1e9);
    return text;
}

// Each connection is a socket; allow as many as the hard limit permits.
void raise_file_limit(ServeOptions& options) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    const int64_t usable = static_cast<int64_t>(limit.rlim_cur) - 64;  // model files, logs, the listener
    if (usable < options.connections.max_connections) {
        log_warn("--max-connections ", options.connections.max_connections, " lowered to ", std::max<int64_t>(1, usable),
                 " (the open-file limit)");
        options.connections.max_connections = static_cast<int>(std::max<int64_t>(1, usable));
    }
}

// The key, the bind address and the memory budget, checked before the model loads.
void check_security(ServeArgs& a) {
    if (!a.api_key_env.empty()) {
        const char* key = std::getenv(a.api_key_env.c_str());
        if (key == nullptr || *key == '\0')
            throw UsageError("--api-key-env", "environment variable " + a.api_key_env + " is not set or empty");
        a.options.api_key = key;
    }
    if (a.options.api_key.empty() && !is_loopback_host(a.options.host) && !a.insecure)
        throw UsageError("--host", "'" + a.options.host +
                                       "' is not a loopback address: set --api-key-env VAR (the key in that "
                                       "environment variable), or pass --insecure to serve it without a key");
}

void run_serve_command(const ServeArgs& a) {
    // Signals are taken by one waiting thread (sigwait), never by a handler, so stopping
    // the server happens on an ordinary thread. Blocked before any thread starts.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    ServeArgs args = a;
    check_security(args);
    const int64_t max_memory = args.max_memory.empty() ? physical_memory() / 10 * 8 : parse_memory_size(args.max_memory);
    raise_file_limit(args.options);
    if (args.threads > 0) ThreadPool::set_global_threads(static_cast<size_t>(args.threads));
    ModelServeBackend backend(args.model_dir, args.name, args.quant);
    // Bodies of open connections, and each admitted request's body, parsed JSON and copy.
    const ServeOptions& o = args.options;
    const int64_t body = static_cast<int64_t>(o.max_body_bytes);
    const int64_t reserve = int64_t{o.connections.max_connections} * (body + (256 << 10)) +
                            int64_t{o.max_active + o.max_queued} * (2 * body + (4 << 20));
    const int64_t request_memory = max_memory - backend.resident_bytes() - reserve;
    if (request_memory <= 0)
        throw UsageError("--max-memory", gigabytes(max_memory) + " does not cover the model (" +
                                             gigabytes(backend.resident_bytes()) + ") and its connections (" +
                                             gigabytes(reserve) + " for --max-connections, --max-queue, --max-body-bytes)");
    backend.set_request_memory(request_memory);
    log_line(LogLevel::info, "memory budget " + gigabytes(max_memory) + ": model " + gigabytes(backend.resident_bytes()) +
                                 ", connections " + gigabytes(reserve) + ", one request up to " + gigabytes(request_memory));
    HttpServer server(backend, args.options);
    int port = server.bind();
    if (!a.port_file.empty()) {
        std::ofstream out(a.port_file + ".tmp");
        out << port << '\n';
        out.close();
        std::rename((a.port_file + ".tmp").c_str(), a.port_file.c_str());
    }
    log_line(LogLevel::info, "serving " + backend.model_id() + (backend.is_diffusion() ? " (diffusion)" : " (causal)") +
                                 " at http://" + args.options.host + ":" + std::to_string(port) + "/v1" +
                                 (args.options.api_key.empty() ? "" : " (key required)"));

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
    cmd->add_option("--model", args->model_dir, "Model folder or .gguf file (causal or diffusion)")->required();
    cmd->add_option("--port", args->options.port, "Port (0 = any free port)");
    cmd->add_option("--host", args->options.host, "Address to listen on");
    cmd->add_option("--name", args->name, "Model id listed by /v1/models (default: the folder's name)");
    cmd->add_option("--max-active", args->options.max_active, "Requests computed at once")->check(CLI::Range(1, 4096));
    cmd->add_option("--max-queue", args->options.max_queued, "Requests waiting; beyond that 503 + Retry-After")
        ->check(CLI::Range(0, 65536));
    cmd->add_option("--max-body-bytes", args->options.max_body_bytes, "Larger request bodies get 413 (default 1 MiB)")
        ->check(CLI::Range(size_t{1}, size_t{1} << 32));
    cmd->add_option("--max-connections", args->options.connections.max_connections,
                    "Connections served at once; past that /health still answers, other requests get 503")
        ->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--request-timeout", args->options.connections.request_timeout_s,
                    "Seconds for a request's line, headers and body to arrive (default 30)")
        ->check(CLI::Range(0.01, 86400.0));
    cmd->add_option("--idle-timeout", args->options.connections.idle_timeout_s,
                    "Seconds a keep-alive connection may wait for its next request (default 5)")
        ->check(CLI::Range(0.01, 86400.0));
    cmd->add_option("--max-memory", args->max_memory,
                    "Memory for the model, connections and one request's working memory, e.g. 16G (default 80% of RAM); "
                    "larger requests get 413");
    cmd->add_option("--api-key-env", args->api_key_env,
                    "Require Authorization: Bearer <key>, the key read from this environment variable");
    cmd->add_flag("--insecure", args->insecure, "Allow a non-loopback --host without an API key");
    cmd->add_option("--threads", args->threads, "Engine worker threads, 0 = all cores");
    cmd->add_option("--quant", args->quant, "Weights of a diffusion model: none | int8 (quantized at load)")
        ->check(CLI::IsMember({"none", "int8"}));
    cmd->add_option("--port-file", args->port_file, "Write the port here once listening (for scripts)");
    cmd->callback([args] { run_serve_command(*args); });
}

}  // namespace remask::cli
