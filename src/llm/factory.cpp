#include "llm/factory.h"

#include <filesystem>

#include "core/error.h"
#include "core/log.h"
#include "core/toml_table.h"
#include "llm/openai_client.h"

namespace remask {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

EndpointSettings parse_target_argument(const std::string& target, const std::string& model_flag) {
    EndpointSettings settings;
    std::string url = trim_base_url(target);
    if ((starts_with(url, "http://") || starts_with(url, "https://")) && ends_with(url, "/v1")) {
        settings.provider = "openai";
        settings.base_url = url;
        if (!model_flag.empty()) {
            settings.model = model_flag;
        } else {
            auto models = list_models(url, settings.api_key_env, 10.0);
            settings.model = models.empty() ? "default" : models.front();
            log_info("target model: ", settings.model, models.empty() ? " (GET /models listed none)" : "");
        }
        return settings;
    }
    if (starts_with(target, "local:")) {
        settings.provider = "local";
        settings.model = target.substr(6);
        if (settings.model.empty()) throw UsageError("--target", "local: needs a model folder, e.g. local:models/Qwen2.5-0.5B-Instruct");
        if (!model_flag.empty()) settings.model = model_flag;
        return settings;
    }
    if (ends_with(target, ".toml")) {
        if (!std::filesystem::exists(target)) throw InputError(target, "no such file (--target)");
        TomlDocument doc = TomlDocument::load(target);
        if (!doc.has_table("target")) throw InputError(target, "no [target] table (--target)");
        TomlTable table = doc.table("target");
        settings = read_endpoint(table);
        if (!model_flag.empty()) settings.model = model_flag;
        return settings;
    }
    throw UsageError("--target '" + target + "'",
                     "expected a base URL ending in /v1 (e.g. http://127.0.0.1:8080/v1), "
                     "local:PATH, or a .toml file with a [target] table");
}

std::unique_ptr<LanguageModel> make_language_model(const EndpointSettings& settings,
                                                   const ClientOptions& options) {
    if (settings.provider == "openai") return std::make_unique<OpenAIClient>(settings, options);
    if (settings.provider == "local")
        throw InputError("provider 'local'", "running a target model in-process is not available yet; "
                                             "serve it with an OpenAI-compatible server and pass its /v1 URL");
    throw InputError("provider '" + settings.provider + "'", "unknown provider (expected openai or local)");
}

}  // namespace remask
