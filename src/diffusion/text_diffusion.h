#pragma once
// Text in, text out with a diffusion model (LLaDA, Dream): span infill of `<mask:N>` slots
// and chat generation. `remask infill`, `remask generate`, `remask serve` and the
// optimizer's in-process DLM all go through here, so they cannot drift apart.
//
//   auto dlm = DiffusionLM::load("models/LLaDA-8B-Instruct");
//   TextInfillRequest request;
//   request.text = "Classify the <mask:8> of the review.";
//   TextInfillResult result = infill_text(*dlm, request);   // result.candidates[0].text
//
// A DiffusionLM serializes its calls (the engine is not re-entrant), so it may be shared by
// threads.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "diffusion/denoise.h"
#include "diffusion/infill.h"
#include "diffusion/sampler.h"
#include "diffusion/span_markup.h"
#include "llm/language_model.h"
#include "model/model.h"
#include "tokenizer/chat_template.h"

namespace remask {

class Model;
class Tokenizer;

class DiffusionLM {
public:
    // Throws InputError when the folder is a causal model, has no mask token, or no
    // tokenizer.json.
    static std::unique_ptr<DiffusionLM> load(const std::string& dir, const LoadOptions& options = {});
    ~DiffusionLM();

    Model& model() { return *model_; }
    const Tokenizer& tokenizer() const { return *tokenizer_; }
    ChatFamily family() const { return family_; }
    int32_t mask_id() const { return mask_id_; }
    const std::string& dir() const { return dir_; }
    // End-of-text, pad and end-of-turn ids: written inside a span they are dropped.
    const std::vector<int32_t>& filler_ids() const { return filler_; }
    // The id that closes an assistant turn in this family's template, or -1.
    int32_t end_of_turn_id() const { return end_of_turn_; }
    std::mutex& mutex() { return mutex_; }

private:
    DiffusionLM() = default;
    std::string dir_;
    std::unique_ptr<Model> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    ChatFamily family_ = ChatFamily::chatml;
    int32_t mask_id_ = -1;
    int32_t end_of_turn_ = -1;
    std::vector<int32_t> filler_;
    std::mutex mutex_;
};

struct TextInfillRequest {
    std::string text;          // with <mask:N> slots; "\<" is a literal "<"
    bool chat = false;         // put the text in the assistant turn of the chat template
    std::string context;       // with chat: the user turn before it
    int64_t slack = 0;         // extra slots per span
    SamplingOptions sampling;  // sampler, steps, temperature, block_length, threshold, ...
    uint64_t seed = 0;
    int64_t candidates = 1;    // denoised together, one batched forward per step
    std::function<void(const StepTrace&)> on_step;  // optional per-step trace; may throw to stop
};

struct TextInfillResult {
    std::vector<FilledText> candidates;
    int64_t forward_passes = 0;
    int64_t full_forwards = 0;  // of those, full forwards (the rest over the active rows)
    int64_t tokens = 0;  // sequence length of one candidate (context + slots)
};

// Throws InputError / UsageError for bad markup, no slot, or too long a context.
TextInfillResult infill_text(DiffusionLM& dlm, const TextInfillRequest& request);

struct ChatGenerationRequest {
    std::vector<ChatMessage> messages;
    GenerationOptions generation;  // gen_length, block_length, steps
    SamplingOptions sampling;      // steps and block_length are taken from `generation`
    uint64_t seed = 0;
    int64_t candidates = 1;
    double cfg_scale = 0.0;
    bool forbid_end_of_text = false;
    std::function<void(const StepTrace&)> on_step;  // optional; may throw to stop generating
};

struct ChatGenerationResult {
    std::vector<std::string> texts;            // [candidate], cut at the first end token
    std::vector<int64_t> completion_tokens;    // [candidate], tokens before that cut
    int64_t prompt_tokens = 0;
    int64_t forward_passes = 0;
    int64_t full_forwards = 0;
};

ChatGenerationResult generate_chat(DiffusionLM& dlm, const ChatGenerationRequest& request);

}  // namespace remask
