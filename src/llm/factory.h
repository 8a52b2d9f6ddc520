#pragma once
// Building a LanguageModel from settings or a --target argument. Implemented by the client
// layer (openai provider) and, later, the local engine provider.

#include <memory>
#include <string>

#include "core/settings.h"
#include "llm/language_model.h"

namespace remask {

struct ClientOptions {
    std::string cache_path;  // "" = default (~/.cache/remask/calls.sqlite, env REMASK_CACHE wins)
    bool use_cache = true;   // --no-cache
    std::string kind = "target";  // target | user | rewriter | judge: counted and capped apart
};

// --target: a base URL ending in /v1, `local:PATH`, or a TOML file with a [target] table.
// model_flag: the value of --model ("" when not given).
EndpointSettings parse_target_argument(const std::string& target, const std::string& model_flag);

std::unique_ptr<LanguageModel> make_language_model(const EndpointSettings& settings,
                                                   const ClientOptions& options);

}  // namespace remask
