// remask chat --target TARGET [--model NAME] [--system TEXT] [--temperature T]
//             [--max-tokens N] [--seed N] [--no-cache] [--json] "message"
// One call through the whole client stack (cache, retries, accounting); prints the reply.

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"
#include "llm/factory.h"

namespace remask::cli {
namespace {

struct ChatOptions {
    std::string target;
    std::string model;
    std::string system;
    std::optional<double> temperature;
    std::optional<int64_t> max_tokens;
    std::optional<int64_t> seed;
    bool no_cache = false;
    bool json = false;
    std::string message;
};

void run_chat(const ChatOptions& options) {
    EndpointSettings settings = parse_target_argument(options.target, options.model);
    ClientOptions client_options;
    client_options.use_cache = !options.no_cache;
    auto model = make_language_model(settings, client_options);

    ChatRequest request;
    if (!options.system.empty()) request.messages.push_back(ChatMessage::of("system", options.system));
    request.messages.push_back(ChatMessage::of("user", options.message));
    request.temperature = options.temperature;
    request.max_tokens = options.max_tokens;
    request.seed = options.seed;
    ChatResponse response = model->chat(request);

    if (options.json) {
        nlohmann::json out = {
            {"reply", response.message.content},
            {"usage",
             {{"prompt_tokens", response.usage.prompt_tokens},
              {"completion_tokens", response.usage.completion_tokens}}},
            {"cached", response.cached},
            {"model", settings.model}};
        if (!response.finish_reason.empty()) out["finish_reason"] = response.finish_reason;
        std::cout << out.dump() << "\n";
    } else {
        std::cout << response.message.content << "\n";
    }
}

}  // namespace

void add_chat_command(CLI::App& app) {
    auto options = std::make_shared<ChatOptions>();
    CLI::App* chat = app.add_subcommand("chat", "Send one message to a target LLM through the client stack");
    chat->add_option("--target", options->target,
                     "Base URL ending in /v1, local:PATH, or a TOML file with a [target] table")
        ->required();
    chat->add_option("--model", options->model, "Model name (default: the file's, else the first of GET /models)");
    chat->add_option("--system", options->system, "System prompt");
    chat->add_option("--temperature", options->temperature, "Sampling temperature");
    chat->add_option("--max-tokens", options->max_tokens, "Most tokens in the reply");
    chat->add_option("--seed", options->seed, "Sampling seed, for servers that honour it");
    chat->add_flag("--no-cache", options->no_cache, "Neither read nor write the call cache");
    chat->add_flag("--json", options->json,
                   R"(Print {"reply", "usage": {...}, "cached", "model"} instead of the reply)");
    chat->add_option("message", options->message, "The user message")->required();
    chat->callback([options] { run_chat(*options); });
}

}  // namespace remask::cli
