#pragma once
// Building a LanguageModel from settings or a --target argument. Implemented by the client
// layer (openai provider) and, later, the local engine provider.

#include <memory>
#include <string>

#include "core/settings.h"
#include "llm/accounting.h"
#include "llm/language_model.h"
#include "llm/retry_policy.h"

namespace remask {

struct ClientOptions {
    std::string cache_path;  // "" = default (~/.cache/remask/calls.sqlite, env REMASK_CACHE wins)
    bool use_cache = true;   // --no-cache
    std::string kind = "target";  // target | user | rewriter | judge: counted and capped apart
    // Shared by every model of one run, so totals and caps cover all of them; null = the
    // model keeps its own.
    std::shared_ptr<Accounting> accounting;
    BackoffPolicy backoff;  // waits between retries (tests shrink them to milliseconds)
};

// --target: a base URL ending in /v1, `local:PATH`, or a TOML file with a [target] table.
// model_flag: the value of --model ("" when not given); it wins over the file's model. For a
// URL without --model, the model is the first entry of GET {url}/models, else "default".
// Throws UsageError for anything else.
EndpointSettings parse_target_argument(const std::string& target, const std::string& model_flag);

// provider "openai": an OpenAIClient; "local": not available yet (InputError).
std::unique_ptr<LanguageModel> make_language_model(const EndpointSettings& settings,
                                                   const ClientOptions& options);

}  // namespace remask
