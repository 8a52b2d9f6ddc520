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
        std::filesystem::path tokenizer = std::filesystem::path(settings.dlm.model) / "tokenizer.json";
        if (std::filesystem::exists(tokenizer))
            return tokenizer_splitter(std::shared_ptr<Tokenizer>(Tokenizer::from_file(tokenizer.string())));
        return whitespace_splitter();
    };
    // One timed forward of `candidates` sequences (256 tokens, 64 masked rows) on the
    // in-process DLM, for the projection; a remote DLM is not timed (0 = unknown).
    w.forward_ms = [load_dlm](const Settings& settings) {
        if (!has_local_dlm(settings)) return 0.0;
        std::shared_ptr<DiffusionLM> dlm = load_dlm(settings);
        const int64_t length = 256, masked = 64;
        std::vector<int32_t> sequence(length, 0);
        std::vector<int64_t> rows;
        for (int64_t i = length - masked; i < length; ++i) {
            sequence[i] = dlm->mask_id();
            rows.push_back(i);
        }
        std::vector<std::vector<int32_t>> batch(static_cast<size_t>(settings.optimizer.candidates), sequence);
        std::vector<float> logits;
        std::lock_guard<std::mutex> lock(dlm->mutex());
        auto start = std::chrono::steady_clock::now();
        dlm->model().forward(batch, rows, logits);
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    return w;
}

}  // namespace remask::optimize
