// remask: prompt optimization for black-box LLMs through diffusion-model rewriting.
// Exit codes: 0 success, 1 runtime failure, 2 usage error; errors are one line on stderr.

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"
#include "core/error.h"
#include "core/log.h"

int main(int argc, char** argv) {
    CLI::App app{"remask: improve a frozen LLM's system prompt by diffusion-model rewriting"};
    app.name("remask");
    app.set_version_flag("--version", std::string("remask ") + REMASK_VERSION);
    app.require_subcommand(1);
    bool verbose = false, quiet = false;
    app.add_flag("-v,--verbose", verbose, "Log progress details to stderr");
    app.add_flag("-q,--quiet", quiet, "Log errors only");
    app.parse_complete_callback([&] {
        if (verbose) remask::set_log_level(remask::LogLevel::info);
        if (quiet) remask::set_log_level(remask::LogLevel::error);
    });
    remask::cli::add_all_commands(app);
    // A file size limit (ulimit -f) then fails the write with EFBIG, reported as one line
    // like a full disk, instead of killing the process mid-write.
    std::signal(SIGXFSZ, SIG_IGN);

    // CLI11 would report a misspelt command as a stray argument; name it instead.
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.empty() || arg[0] == '-') continue;
        bool known = false;
        for (const CLI::App* sub : app.get_subcommands({})) known = known || sub->check_name(arg);
        if (!known) {
            std::fprintf(stderr, "remask: error: usage: unknown command '%s' (see 'remask --help')\n",
                         arg.c_str());
            return 2;
        }
        break;
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "remask: error: usage: %s (see 'remask --help')\n", e.what());
        return 2;
    } catch (const remask::Error& e) {
        std::fprintf(stderr, "remask: error: %s\n", e.what());
        return e.exit_code();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "remask: error: internal: %s\n", e.what());
        return 1;
    }
    return 0;
}
