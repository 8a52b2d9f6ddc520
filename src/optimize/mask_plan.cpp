#include "optimize/mask_plan.h"

#include <algorithm>

#include "core/error.h"

namespace remask::optimize {

std::unique_ptr<MaskPlan> make_mask_plan(const std::string& name, const MaskPlanOptions& options) {
    if (name == "random-span") return make_random_span_plan(options);
    if (name == "sentence") return make_sentence_plan(options);
    if (name == "insert") return make_insert_plan(options);
    if (name == "confidence") return make_confidence_plan(options);
    throw InputError("[optimizer] mask_plan",
                     "unknown plan '" + name + "' (random-span | sentence | insert | confidence)");
}

bool ends_sentence(const std::string& piece) {
    if (piece.find('\n') != std::string::npos) return true;
    size_t i = piece.size();
    while (i > 0 && std::string_view("\"')]*").find(piece[i - 1]) != std::string_view::npos) --i;
    return i > 0 && std::string_view(".!?:;").find(piece[i - 1]) != std::string_view::npos;
}

std::vector<MaskInterval> free_sentences(const PromptTokens& tokens) {
    std::vector<MaskInterval> sentences;
    size_t start = 0;
    for (size_t i = 0; i < tokens.pieces.size(); ++i) {
        const PromptPiece& p = tokens.pieces[i];
        if (p.locked) {
            if (i > start) sentences.push_back({start, i});
            start = i + 1;
        } else if (ends_sentence(p.text)) {
            sentences.push_back({start, i + 1});
            start = i + 1;
        }
    }
    if (start < tokens.pieces.size()) sentences.push_back({start, tokens.pieces.size()});
    return sentences;
}

namespace {

int64_t insert_slots(const MaskPlanOptions& o) {
    return o.insert_slots > 0 ? o.insert_slots : std::max<int64_t>(4, 2 * o.slack);
}

}  // namespace

MaskedPrompt build_masked_prompt(const PromptTokens& tokens, std::vector<MaskInterval> intervals,
                                 const MaskPlanOptions& options, const TokenSplitter& splitter) {
    std::sort(intervals.begin(), intervals.end(),
              [](const MaskInterval& a, const MaskInterval& b) { return a.begin < b.begin; });
    // Drop anything that touches a locked piece or overlaps an earlier span: plans promise
    // not to, and this makes the promise hold even for a faulty plan.
    std::vector<MaskInterval> valid;
    size_t covered_to = 0;
    for (const MaskInterval& m : intervals) {
        if (m.end < m.begin || m.end > tokens.pieces.size() || m.begin < covered_to) continue;
        bool touches_lock = false;
        for (size_t i = m.begin; i < m.end; ++i)
            touches_lock = touches_lock || tokens.pieces[i].locked;
        if (touches_lock) continue;
        valid.push_back(m);
        covered_to = m.end;
    }

    // Budget the length: kept tokens + slots <= max_prompt_tokens.
    std::vector<int64_t> slots(valid.size());
    int64_t masked_tokens = 0;
    for (size_t k = 0; k < valid.size(); ++k) {
        int64_t n = static_cast<int64_t>(valid[k].end - valid[k].begin);
        masked_tokens += n;
        slots[k] =
            n > 0 ? n + options.slack
                  : (valid[k].insert_slots > 0 ? valid[k].insert_slots : insert_slots(options));
    }
    int64_t total_tokens = static_cast<int64_t>(count_prompt_tokens(tokens.joined(), splitter));
    auto length = [&] {
        int64_t sum = total_tokens - masked_tokens;
        for (int64_t s : slots) sum += s;
        return sum;
    };
    const int64_t cap = options.max_prompt_tokens;
    if (cap > 0) {
        for (size_t k = 0; k < valid.size() && length() > cap; ++k) {
            int64_t n = static_cast<int64_t>(valid[k].end - valid[k].begin);
            if (n > 0) slots[k] = std::max(n, slots[k] - (length() - cap));
        }
        for (size_t k = 0; k < valid.size() && length() > cap; ++k)
            if (valid[k].begin == valid[k].end)
                slots[k] = std::max<int64_t>(0, slots[k] - (length() - cap));
    }

    MaskedPrompt out;
    size_t pos = 0;
    auto keep_until = [&](size_t end) {
        std::string text;
        for (; pos < end; ++pos) text += tokens.pieces[pos].text;
        if (text.empty()) return;
        if (!out.segments.empty() && !out.segments.back().masked())
            out.segments.back().text += text;
        else
            out.segments.push_back({text, 0});
    };
    for (size_t k = 0; k < valid.size(); ++k) {
        if (slots[k] == 0) continue;  // an insertion squeezed out by the length cap
        keep_until(valid[k].begin);
        std::string original;
        for (; pos < valid[k].end; ++pos) original += tokens.pieces[pos].text;
        out.segments.push_back({original, slots[k]});
        MaskInterval m = valid[k];
        if (m.begin == m.end) m.insert_slots = slots[k];
        out.intervals.push_back(m);
        out.masked_tokens += static_cast<int64_t>(m.end - m.begin);
    }
    keep_until(tokens.pieces.size());
    return out;
}

std::vector<PromptSegment> segments_for_dlm(const MaskedPrompt& masked) {
    std::vector<PromptSegment> out = masked.segments;
    for (PromptSegment& s : out)
        if (!s.masked()) s.text = render_for_target(s.text);
    return out;
}

}  // namespace remask::optimize
