// The real Wiring: tasks (src/tasks/), the OpenAI client (src/llm/), the tokenizer and the
// DLM engine (src/tokenizer/, src/model/, src/diffusion/) behind the optimizer's own
// interfaces. Those parts are built on other branches; until they are merged, each
// factory here says so, and `remask optimize` stays unregistered.

#include "optimize/wiring.h"

#include "core/error.h"

namespace remask::optimize {

namespace {

[[noreturn]] void not_wired(const std::string& part) {
    throw UsageError("optimize",
                     part + " is not wired into this build yet (src/optimize/wiring.cpp)");
}

}  // namespace

Wiring default_wiring() {
    Wiring w;
    w.evaluator = [](const Settings&) -> std::unique_ptr<PromptEvaluator> {
        not_wired("the task evaluator");
    };
    w.infiller = [](const Settings&) -> std::unique_ptr<SpanInfiller> {
        not_wired("the DLM infiller");
    };
    w.token_scorer = [](const Settings&) -> std::unique_ptr<TokenScorer> {
        not_wired("the DLM token scorer");
    };
    w.rewriter = [](const Settings&) -> std::unique_ptr<LanguageModel> {
        not_wired("the rewriter client");
    };
    w.splitter = [](const Settings&) { return whitespace_splitter(); };
    w.forward_ms = [](const Settings&) { return 0.0; };
    return w;
}

}  // namespace remask::optimize
