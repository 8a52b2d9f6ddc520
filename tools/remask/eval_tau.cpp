#include "eval_tau.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/progress.h"
#include "tasks/tau/summary.h"

namespace remask::cli {

int run_tau_eval(const TauEvalArgs& args) {
    using namespace remask::tau;
    if (args.agent != "llm" && args.agent != "oracle") {
        throw UsageError("--agent", "\"" + args.agent + "\" is not an agent (choose llm or oracle)");
    }
    if (args.trials < 1) throw UsageError("--trials", "must be at least 1");
    if (args.limit < 0) throw UsageError("--limit", "must not be negative");
    const TauDomain& domain = load_tau_domain(args.task, args.data_dir);

    std::string instructions;
    if (!args.prompt_file.empty()) {
        std::ifstream in(args.prompt_file, std::ios::binary);
        if (!in) throw InputError(args.prompt_file, "cannot read the prompt file");
        std::ostringstream text;
        text << in.rdbuf();
        instructions = text.str();
    }

    TauRunOptions options;
    options.tasks = domain.split(args.split, args.seed);
    if (args.limit > 0 && static_cast<size_t>(args.limit) < options.tasks.size()) options.tasks.resize(args.limit);
    options.trials = args.trials;
    options.concurrency = args.concurrency;
    options.episode.max_steps = args.max_steps;
    options.episode.temperature = args.temperature;
    options.episode.max_tokens = args.max_tokens;
    options.system_prompt = tau_system_prompt(domain, instructions, args.whole_prompt);
    options.transcripts_path = args.out;
    options.oracle = args.agent == "oracle";

    std::unique_ptr<LanguageModel> target, user;
    if (!options.oracle) {
        if (!args.make_target || !args.make_user) {
            throw UsageError("--agent llm", "needs a target model (--target) and a user model ([user])");
        }
        target = args.make_target();
        user = args.make_user();
    }
    Progress progress("eval " + domain.name + " " + args.split, options.tasks.size() * static_cast<size_t>(args.trials));
    options.on_episode = [&](const EpisodeResult&) { progress.advance(1); };
    TauRunResult result = run_tau_episodes(domain, options, target.get(), user.get());
    progress.finish();

    RunCost cost{{args.target_price_input_per_mtok, args.target_price_output_per_mtok},
                 {args.user_price_input_per_mtok, args.user_price_output_per_mtok}};
    std::string text = args.json ? tau_summary_json(domain.name, args.split, args.trials, result, cost).dump() + "\n"
                                 : tau_summary_text(domain.name, args.split, args.trials, result, cost);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return 0;
}

}  // namespace remask::cli
