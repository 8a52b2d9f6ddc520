#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "fakes.h"

namespace remask::optimize::testing {

namespace {

bool positive(const std::string& id) { return std::hash<std::string>{}(id) % 2 == 0; }

// A wrapper so the optimizer can own its evaluator while the test keeps looking at it.
class BorrowedEvaluator : public PromptEvaluator {
  public:
    explicit BorrowedEvaluator(FakeEvaluator* e) : e_(e) {}
    std::vector<Trace> evaluate(const std::string& p,
                                const std::vector<std::string>& ids) override {
        return e_->evaluate(p, ids);
    }
    std::vector<std::string> split(const std::string& name) override { return e_->split(name); }
    Spend spent() const override { return e_->spent(); }

  private:
    FakeEvaluator* e_;
};

class BorrowedRewriter : public LanguageModel {
  public:
    explicit BorrowedRewriter(FakeRewriter* r) : r_(r) {}
    ChatResponse chat(const ChatRequest& request) override { return r_->chat(request); }
    std::string describe() const override { return r_->describe(); }

  private:
    FakeRewriter* r_;
};

}  // namespace

FakeEvaluator::FakeEvaluator(size_t train, size_t val, size_t test) {
    for (size_t i = 0; i < train; ++i) splits_["train"].push_back("train-" + std::to_string(i));
    for (size_t i = 0; i < val; ++i) splits_["val"].push_back("val-" + std::to_string(i));
    for (size_t i = 0; i < test; ++i) splits_["test"].push_back("test-" + std::to_string(i));
}

std::vector<std::string> FakeEvaluator::split(const std::string& name) { return splits_[name]; }

std::vector<Trace> FakeEvaluator::evaluate(const std::string& prompt,
                                           const std::vector<std::string>& ids) {
    if (evaluate_calls++ == throw_on_call) {
        spent_.target_calls += calls_before_throw;  // answered, then the connection dropped
        throw ExternalError("fake target", "connection reset");
    }
    prompts_seen.push_back(prompt);
    const bool rule = prompt.find(kLabelRule) != std::string::npos;
    std::vector<Trace> out;
    for (const std::string& id : ids) {
        evaluated.insert({prompt, id});
        Trace t;
        t.example_id = id;
        t.input = "review text of " + id;
        t.expected = positive(id) ? "positive" : "negative";
        size_t index = std::stoul(id.substr(id.find('-') + 1));
        bool lucky = index % 4 == 0;
        t.reply = rule || lucky ? t.expected : "I think the reviewer liked parts of it.";
        t.score = t.reply == t.expected ? 1.0 : 0.0;
        if (t.score < 1)
            t.feedback = "expected `" + t.expected + "`, answered something unparseable";
        out.push_back(t);
        spent_.target_calls += 1;
        spent_.tokens += 50;
        spent_.usd += 0.0001;
    }
    return out;
}

ChatResponse FakeRewriter::chat(const ChatRequest& request) {
    ++calls;
    const std::string& user = request.messages.back().content;
    user_turns.push_back(user);
    size_t open = user.find("<prompt>\n"), close = user.rfind("\n</prompt>");
    std::string old = user.substr(open + 9, close - open - 9);
    ChatResponse r;
    r.message.role = "assistant";
    std::string fixed = old;
    if (user.find("unparseable") != std::string::npos && old.find(kLabelRule) == std::string::npos)
        fixed += std::string(" ") + kLabelRule;
    r.message.content =
        "Sure. Here is the improved prompt:\n<prompt>\n" + fixed + "\n</prompt>\nGood luck!";
    r.usage = {300, 40};
    return r;
}

InfillResult FakeInfiller::infill(const InfillRequest& request) {
    requests.push_back(request);
    InfillResult result;
    result.forward_passes = request.steps;
    result.tokens = 100;
    const bool failures = request.context.find("Answers that were wrong") != std::string::npos;
    for (int64_t k = 0; k < request.candidates; ++k) {
        InfillCandidate c;
        bool first = true;
        for (const PromptSegment& s : request.segments) {
            if (!s.masked()) {
                c.text += s.text;
                continue;
            }
            std::string fill = s.text;
            if (first && k == 0 && failures)
                fill = std::string(" ") + kLabelRule + " ";
            else if (first)
                fill =
                    " variant" + std::to_string(k) + "-" + std::to_string(request.seed % 97) + " ";
            first = false;
            c.spans.push_back({c.text.size(), c.text.size() + fill.size(), fill});
            c.text += fill;
        }
        result.candidates.push_back(c);
    }
    return result;
}

int64_t FakeWorld::total_target_calls() const {
    int64_t n = 0;
    for (const FakeEvaluator* e : evaluators) n += e->spent().target_calls;
    return n;
}

Wiring FakeWorld::wiring() {
    Wiring w;
    w.evaluator = [this](const Settings&) -> std::unique_ptr<PromptEvaluator> {
        keep_alive.push_back(std::make_unique<FakeEvaluator>());
        keep_alive.back()->throw_on_call = throw_on_call;
        evaluators.push_back(keep_alive.back().get());
        ++evaluators_built;
        return std::make_unique<BorrowedEvaluator>(keep_alive.back().get());
    };
    w.infiller = [](const Settings&) -> std::unique_ptr<SpanInfiller> {
        return std::make_unique<FakeInfiller>();
    };
    w.token_scorer = [](const Settings&) -> std::unique_ptr<TokenScorer> { return nullptr; };
    w.rewriter = [](const Settings&) -> std::unique_ptr<LanguageModel> {
        static FakeRewriter shared;
        return std::make_unique<BorrowedRewriter>(&shared);
    };
    w.splitter = [](const Settings&) { return whitespace_splitter(); };
    w.forward_ms = [](const Settings&) { return 250.0; };
    return w;
}

std::string temp_dir(const std::string& name) {
    namespace fs = std::filesystem;
    fs::path dir =
        fs::temp_directory_path() / ("remask-optimize-test-" + std::to_string(::getpid())) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir.string();
}

std::string write_config(const std::string& dir, const std::string& proposer, int64_t target_calls,
                         const std::string& extra_optimizer, const std::string& prompt) {
    std::ofstream(dir + "/prompt.txt")
        << (prompt.empty() ? "You are a sentiment classifier. Read the review. <keep>Be "
                             "honest.</keep> Reply briefly."
                           : prompt);
    std::string path = dir + "/config.toml";
    std::ofstream(path) << "[task]\nname = \"sst2\"\n\n[optimizer]\nproposer = \"" << proposer
                        << "\"\nprompt = \"prompt.txt\"\ncandidates = 3\nminibatch = 4\n"
                        << extra_optimizer << "\n[budget]\ntarget_calls = " << target_calls
                        << "\n\n[run]\nseed = 7\n";
    return path;
}

}  // namespace remask::optimize::testing
