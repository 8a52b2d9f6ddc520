#include "llm/causal_generation.h"

#include <algorithm>

#include "core/error.h"
#include "diffusion/rng.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace remask {

CausalGenerationResult generate_causal(Model& model, const Tokenizer& tokenizer,
                                       const std::vector<int32_t>& prompt,
                                       const CausalGenerationOptions& options) {
    if (prompt.empty()) throw InputError("prompt", "is empty");
    const int64_t vocab = model.vocab_size();
    auto cache = model.new_cache(1, static_cast<int64_t>(prompt.size()) + options.max_new_tokens + 1);
    std::vector<float> logits;
    model.forward_cached(*cache, {prompt}, logits);

    CausalGenerationResult result;
    result.prompt_tokens = static_cast<int64_t>(prompt.size());
    result.finish_reason = "length";
    KeyedRng rng(options.seed);
    StreamingDecoder decoder(tokenizer);
    for (int64_t i = 0; i < options.max_new_tokens; ++i) {
        RandomStream stream = rng.stream(i, options.sample_index, 0, RandomPurpose::token);
        int32_t token = sample_token(logits.data(), vocab, options.sampling, stream);
        if (std::find(options.end_ids.begin(), options.end_ids.end(), token) != options.end_ids.end()) {
            result.finish_reason = "stop";
            break;
        }
        result.tokens.push_back(token);
        decoder.push(token);
        bool stopped = false;
        for (const std::string& stop : options.stop_strings) {
            size_t at = stop.empty() ? std::string::npos : decoder.text().find(stop);
            if (at != std::string::npos) {
                result.text = decoder.text().substr(0, at);
                stopped = true;
                break;
            }
        }
        if (stopped) {
            result.finish_reason = "stop";
            return result;
        }
        if (i + 1 < options.max_new_tokens) model.forward_cached(*cache, {{token}}, logits);
    }
    decoder.finish();
    result.text = decoder.text();
    return result;
}

}  // namespace remask
