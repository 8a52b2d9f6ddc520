#include "optimize/trace_context.h"

#include <algorithm>
#include <sstream>

namespace remask::optimize {

namespace {

std::string cut_middle(const std::string& text, size_t max_chars) {
    if (text.size() <= max_chars) return text;
    size_t half = max_chars / 2;
    // Step back to UTF-8 boundaries so a cut never splits a character.
    size_t head = half, tail = text.size() - half;
    while (head > 0 && (static_cast<unsigned char>(text[head]) & 0xC0) == 0x80) --head;
    while (tail < text.size() && (static_cast<unsigned char>(text[tail]) & 0xC0) == 0x80) ++tail;
    return text.substr(0, head) + " [...] " + text.substr(tail);
}

std::string format_one(const Trace& t, size_t max_chars) {
    std::ostringstream out;
    out << "Input: " << cut_middle(t.input, max_chars) << "\n";
    if (!t.expected.empty()) out << "Expected: " << cut_middle(t.expected, max_chars) << "\n";
    out << "Answer: " << cut_middle(t.reply, max_chars) << "\n";
    out << "Score: " << t.score << "\n";
    if (!t.feedback.empty()) out << "Feedback: " << cut_middle(t.feedback, max_chars) << "\n";
    return out.str();
}

}  // namespace

std::string format_traces(const std::vector<Trace>& traces, const TokenSplitter& splitter,
                          const TraceContextOptions& options) {
    std::vector<const Trace*> failures, successes;
    for (const Trace& t : traces) (t.score < 1.0 ? failures : successes).push_back(&t);
    std::stable_sort(failures.begin(), failures.end(),
                     [](const Trace* a, const Trace* b) { return a->score < b->score; });
    if (successes.size() > options.max_successes) successes.resize(options.max_successes);

    std::string out;
    size_t used = 0;
    auto add = [&](const char* heading, const std::vector<const Trace*>& group) {
        bool headed = false;
        for (const Trace* t : group) {
            std::string block = format_one(*t, options.max_field_chars);
            size_t cost = splitter(block).size();
            if (used + cost > options.token_budget) return;
            if (!headed) {
                out += heading;
                headed = true;
            }
            out += block + "\n";
            used += cost;
        }
    };
    add("## Answers that were wrong\n\n", failures);
    add("## Answers that were right\n\n", successes);
    return out;
}

std::string dlm_context(const std::string& rendered_prompt, const std::vector<Trace>& traces,
                        bool with_traces, const std::string& notes, const TokenSplitter& splitter,
                        const TraceContextOptions& options) {
    std::ostringstream out;
    if (with_traces) {
        out << "Below is the system prompt of an assistant and examples of how the assistant "
               "answered with it, with feedback. Rewrite the system prompt so the assistant "
               "answers every example correctly. Keep what works; fix what caused the wrong "
               "answers.\n\n";
        std::string formatted = format_traces(traces, splitter, options);
        if (!formatted.empty()) out << formatted;
    } else {
        out << "Below is the system prompt of an assistant. Rewrite it to be clearer and more "
               "effective.\n\n";
    }
    if (!notes.empty()) out << "## Notes from a reviewer\n\n" << notes << "\n\n";
    out << "## Current system prompt\n\n" << rendered_prompt << "\n";
    return out.str();
}

}  // namespace remask::optimize
