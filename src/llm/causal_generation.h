#pragma once
// Token-by-token generation with a causal model's KV cache: prefill the prompt once, then
// one forward per new token. Stops at an end token, a stop string, or max_new_tokens.

#include <cstdint>
#include <string>
#include <vector>

#include "llm/token_sampling.h"

namespace remask {

class Model;
class Tokenizer;

struct CausalGenerationOptions {
    TokenSamplingOptions sampling;
    uint64_t seed = 0;
    int64_t max_new_tokens = 256;
    std::vector<int32_t> end_ids;         // any of these ends the answer (not included)
    std::vector<std::string> stop_strings;  // the answer is cut before the first match
    int64_t sample_index = 0;             // separates the noise of n samples of one request
};

struct CausalGenerationResult {
    std::string text;
    std::vector<int32_t> tokens;  // generated ids, end token excluded
    std::string finish_reason;    // "stop" | "length"
    int64_t prompt_tokens = 0;
};

CausalGenerationResult generate_causal(Model& model, const Tokenizer& tokenizer,
                                       const std::vector<int32_t>& prompt,
                                       const CausalGenerationOptions& options);

}  // namespace remask
