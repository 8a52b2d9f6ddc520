// ar-rewrite: a chat LLM ([rewriter]) rewrites the whole prompt from the same traces the
// DLM sees (the OPRO / GEPA-reflection family): the baseline to beat. K calls, each with
// its own sample index and seed.

#include <sstream>

#include "core/error.h"
#include "core/log.h"
#include "optimize/proposer.h"

namespace remask::optimize {

namespace {

std::string trim_blank_lines(const std::string& text) {
    size_t begin = 0, end = text.size();
    while (begin < end && (text[begin] == '\n' || text[begin] == '\r' || text[begin] == ' '))
        ++begin;
    while (end > begin && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
        --end;
    return text.substr(begin, end - begin);
}

class ArRewriteProposer : public Proposer {
  public:
    ArRewriteProposer(ProposerOptions o, ProposerDeps d) : o_(std::move(o)), d_(std::move(d)) {
        if (!d_.rewriter)
            throw UsageError("optimizer wiring",
                             "ar-rewrite needs a [rewriter] (or [target]) model");
    }
    std::string name() const override { return "ar-rewrite"; }

    ProposalBatch propose(const ProposalRequest& r) override {
        ProposalBatch batch;
        ChatRequest request;
        request.messages.push_back({"system", system_text(), {}, "", ""});
        request.messages.push_back({"user", user_text(r), {}, "", ""});
        request.temperature = o_.rewriter_temperature;
        request.max_tokens = o_.rewriter_max_tokens;
        int64_t unusable = 0;
        for (int64_t k = 0; k < r.count; ++k) {
            request.sample_index = static_cast<int>(k);
            request.seed = static_cast<int64_t>((r.seed + static_cast<uint64_t>(k)) & 0x7fffffff);
            ChatResponse reply = d_.rewriter->chat(request);
            if (!reply.cached) {
                batch.spend.rewriter_calls += 1;
                batch.spend.tokens += reply.usage.prompt_tokens + reply.usage.completion_tokens;
                batch.spend.usd +=
                    (reply.usage.prompt_tokens * o_.rewriter_price_in_per_mtok +
                     reply.usage.completion_tokens * o_.rewriter_price_out_per_mtok) /
                    1e6;
            }
            std::string prompt = parse_rewritten_prompt(reply.message.content);
            if (prompt.empty()) {
                ++unusable;
                continue;
            }
            batch.proposals.push_back({prompt, diff_spans(r.parent_prompt, prompt, d_.splitter)});
        }
        if (unusable > 0) batch.detail["unusable_replies"] = unusable;
        return batch;
    }

  private:
    static std::string system_text() {
        return "You improve system prompts for a language model. You are shown a system prompt "
               "and examples of how the model answered with it, with feedback. Write an improved "
               "system prompt that makes the model answer correctly. Text between <keep> and "
               "</keep> must be copied unchanged, markers included.";
    }
    std::string user_text(const ProposalRequest& r) const {
        std::ostringstream out;
        std::string traces = format_traces(r.traces, d_.splitter, o_.context);
        if (!traces.empty()) out << traces << "\n";
        if (!r.notes.empty()) out << "## Notes from a reviewer\n\n" << r.notes << "\n\n";
        out << "## Current system prompt\n\n<prompt>\n"
            << r.parent_prompt << "\n</prompt>\n\n"
            << "Reply with the complete improved system prompt between <prompt> and </prompt>.";
        return out.str();
    }

    ProposerOptions o_;
    ProposerDeps d_;
};

}  // namespace

std::string parse_rewritten_prompt(const std::string& reply) {
    size_t open = reply.rfind("<prompt>");
    if (open != std::string::npos) {
        size_t begin = open + 8;
        size_t close = reply.find("</prompt>", begin);
        return trim_blank_lines(
            reply.substr(begin, close == std::string::npos ? std::string::npos : close - begin));
    }
    size_t fence_end = reply.rfind("```");
    if (fence_end != std::string::npos && fence_end > 0) {
        size_t fence_open = reply.rfind("```", fence_end - 1);
        if (fence_open != std::string::npos) {
            size_t body = reply.find('\n', fence_open);  // skip a language tag
            if (body != std::string::npos && body < fence_end)
                return trim_blank_lines(reply.substr(body + 1, fence_end - body - 1));
        }
    }
    return trim_blank_lines(reply);
}

std::unique_ptr<Proposer> make_ar_rewrite_proposer(const ProposerOptions& options,
                                                   const ProposerDeps& deps) {
    return std::make_unique<ArRewriteProposer>(options, deps);
}

}  // namespace remask::optimize
