// The real Wiring: tasks (src/tasks/) run through the client stack (src/llm/), and the DLM
// (src/diffusion/) in-process or behind a remote `remask serve`, each behind the
// optimizer's own small interfaces.

#include "optimize/wiring.h"

#include <chrono>
#include <filesystem>
#include <mutex>

#include "core/error.h"
#include "core/thread_pool.h"
#include "diffusion/text_diffusion.h"
#include "llm/factory.h"
#include "model/gguf_checkpoint.h"
#include "model/gguf_file.h"
#include "model/model_tokenizer.h"
#include "model/model.h"
#include "optimize/dlm_infillers.h"
#include "optimize/task_evaluator.h"
#include "optimize/tau_evaluator.h"
#include "tokenizer/tokenizer.h"

namespace remask::optimize {
namespace {

bool has_local_dlm(const Settings& settings) {
    return settings.dlm.url.empty() &&
           std::filesystem::exists(std::filesystem::path(settings.dlm.model) / "config.json");
}

// The DLM tokenizer's pieces: each token's text, grouped so incomplete UTF-8 never splits
// (the pieces concatenate back to the text exactly).
TokenSplitter tokenizer_splitter(std::shared_ptr<Tokenizer> tokenizer) {
    return [tokenizer](const std::string& text) {
        std::vector<std::string> pieces;
        StreamingDecoder decoder(*tokenizer);
        for (int32_t id : tokenizer->encode(text, /*recognize_special=*/false)) {
            std::string piece = decoder.push(id);
            if (!piece.empty()) pieces.push_back(piece);
        }
        std::string rest = decoder.finish();
        if (!rest.empty()) pieces.push_back(rest);
        std::string joined;
        for (const auto& p : pieces) joined += p;
        // Normalization could change the text; then fall back to words.
        return joined == text ? pieces : whitespace_splitter()(text);
    };
}

}  // namespace

Wiring default_wiring() {
    Wiring w;
    // One DLM per process, shared by the infiller and the token scorer.
    auto shared_dlm = std::make_shared<std::shared_ptr<DiffusionLM>>();
    auto load_dlm = [shared_dlm](const Settings& settings) {
        if (!*shared_dlm) {
            if (settings.dlm.threads > 0) ThreadPool::set_global_threads(static_cast<size_t>(settings.dlm.threads));
            LoadOptions options;
            options.quant = settings.dlm.quant;
            options.compute = settings.dlm.compute;
            *shared_dlm = std::shared_ptr<DiffusionLM>(DiffusionLM::load(settings.dlm.model, options));
        }
        return *shared_dlm;
    };
    auto accounting = std::make_shared<Accounting>();

    w.evaluator = [accounting](const Settings& settings) -> std::unique_ptr<PromptEvaluator> {
        if (is_tau_task(settings.task.name)) return std::make_unique<TauPromptEvaluator>(settings, accounting);
        return std::make_unique<TaskPromptEvaluator>(settings, accounting);
    };
    w.infiller = [load_dlm](const Settings& settings) -> std::unique_ptr<SpanInfiller> {
        if (!settings.dlm.url.empty()) return std::make_unique<RemoteInfiller>(settings.dlm);
        if (!has_local_dlm(settings))
            throw InputError(settings.source_file + ": [dlm] model",
                             "'" + settings.dlm.model + "' is not a model folder (no config.json); set "
                             "[dlm] model to a downloaded LLaDA or Dream folder, or [dlm] url to a remote remask serve");
        return std::make_unique<InProcessInfiller>(load_dlm(settings), settings.dlm);
    };
    w.token_scorer = [load_dlm](const Settings& settings) -> std::unique_ptr<TokenScorer> {
        if (!has_local_dlm(settings))
            throw InputError(settings.source_file + ": [optimizer] mask_plan",
                             "'confidence' needs an in-process DLM ([dlm] model folder)");
        return std::make_unique<PseudoLikelihoodScorer>(load_dlm(settings));
    };
    w.rewriter = [accounting](const Settings& settings) -> std::unique_ptr<LanguageModel> {
        ClientOptions options;
        options.cache_path = settings.run.cache;
        options.kind = "rewriter";
        options.accounting = accounting;
        return make_language_model(settings.rewriter ? *settings.rewriter : settings.target, options);
    };
    w.splitter = [](const Settings& settings) -> TokenSplitter {
        std::filesystem::path tokenizer = tokenizer_json_for_model(settings.dlm.model);
        if (std::filesystem::exists(tokenizer) || is_gguf_path(settings.dlm.model))
            return tokenizer_splitter(std::shared_ptr<Tokenizer>(load_model_tokenizer(settings.dlm.model)));
        return whitespace_splitter();
    };
    // DLM time for the projection, at the optimizer's shape (kDlmTokens per sequence: 1,536
    // trace tokens plus the prompt twice, taken as 256 tokens each, 64 of them masked):
    // one forward of `candidates` sequences is timed at 256 tokens and scaled by the ratio of
    // FLOPs, so an 8B model is not run for minutes before a dry run (each timed call follows a
    // warm-up call at the same shape). A remote DLM is not
    // timed (0 = unknown).
    constexpr int64_t kTimedTokens = 256, kMasked = 64, kDlmTokens = 1536 + 2 * 256;
    auto time_forward = [load_dlm](const Settings& settings, bool partial) {
        if (!has_local_dlm(settings)) return 0.0;
        std::shared_ptr<DiffusionLM> dlm = load_dlm(settings);
        Model& model = dlm->model();
        std::vector<int32_t> sequence(kTimedTokens, 0);
        std::vector<int64_t> rows;
        for (int64_t i = kTimedTokens - kMasked; i < kTimedTokens; ++i) {
            sequence[i] = dlm->mask_id();
            rows.push_back(i);
        }
        const int64_t k = settings.optimizer.candidates;
        std::vector<std::vector<int32_t>> batch(static_cast<size_t>(k), sequence);
        // Distinct candidates, as after a fill's first step: the engine computes identical
        // sequences once, which would time one candidate and scale it as K.
        for (size_t b = 0; b < batch.size(); ++b) batch[b][0] = static_cast<int32_t>(b);
        std::vector<float> logits;
        std::lock_guard<std::mutex> lock(dlm->mutex());
        DualKvCache cache;
        if (partial) {
            model.forward_refresh(batch, rows, logits, cache);
            model.forward_partial(batch, rows, rows, logits, cache);  // warm-up, as below
        } else {
            model.forward(batch, rows, logits);  // warm-up: a cold first call would be scaled up too
        }
        auto start = std::chrono::steady_clock::now();
        if (partial)
            model.forward_partial(batch, rows, rows, logits, cache);
        else
            model.forward(batch, rows, logits);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        const double scale = partial ? model.partial_forward_flops(k, kDlmTokens, kMasked, kMasked) /
                                           model.partial_forward_flops(k, kTimedTokens, kMasked, kMasked)
                                     : model.forward_flops(k, kDlmTokens, kMasked) /
                                           model.forward_flops(k, kTimedTokens, kMasked);
        return ms * scale;
    };
    w.forward_ms = [time_forward](const Settings& settings) { return time_forward(settings, false); };
    w.partial_forward_ms = [time_forward](const Settings& settings) {
        return settings.dlm.kv_cache == "dual" ? time_forward(settings, true) : 0.0;
    };
    w.kv_cache_bytes = [load_dlm](const Settings& settings) -> int64_t {
        if (!has_local_dlm(settings) || settings.dlm.kv_cache != "dual") return 0;
        return load_dlm(settings)->model().dual_kv_cache_bytes(settings.optimizer.candidates * kDlmTokens);
    };
    return w;
}

}  // namespace remask::optimize
