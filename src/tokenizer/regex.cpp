#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/regex.h"

#include <pcre2.h>

#include "core/error.h"
#include "tokenizer/regex_property_extra.inc"

namespace remask {

struct Regex::Compiled {
    pcre2_code* code = nullptr;
    bool jit = false;
};

namespace {

// One match-data block, JIT stack and match context per thread, shared by all patterns.
struct ThreadMatchState {
    pcre2_match_data* data = nullptr;
    pcre2_jit_stack* stack = nullptr;
    pcre2_match_context* context = nullptr;

    ThreadMatchState() {
        data = pcre2_match_data_create(32, nullptr);
        context = pcre2_match_context_create(nullptr);
        stack = pcre2_jit_stack_create(32 * 1024, 8 * 1024 * 1024, nullptr);
        if (stack) pcre2_jit_stack_assign(context, nullptr, stack);
    }
    ~ThreadMatchState() {
        pcre2_match_data_free(data);
        pcre2_match_context_free(context);
        if (stack) pcre2_jit_stack_free(stack);
    }
};

ThreadMatchState& thread_match_state() {
    thread_local ThreadMatchState state;
    return state;
}

std::string pcre2_message(int code) {
    PCRE2_UCHAR buffer[256];
    pcre2_get_error_message(code, buffer, sizeof(buffer));
    return reinterpret_cast<const char*>(buffer);
}

}  // namespace

std::string widen_unicode_properties(const std::string& pattern) {
    static const std::string letters = REMASK_EXTRA_LETTER_RANGES;
    static const std::string numbers = REMASK_EXTRA_NUMBER_RANGES;
    std::string out;
    bool in_class = false;
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            const bool letter = pattern.compare(i, 5, "\\p{L}") == 0;
            const bool number = pattern.compare(i, 5, "\\p{N}") == 0;
            if (!letter && !number) {
                out.append(pattern, i, 2);
                ++i;
                continue;
            }
            const std::string& extra = letter ? letters : numbers;
            if (extra.empty() || in_class) {
                out.append(pattern, i, 5).append(extra);
            } else {
                out.append("[").append(pattern, i, 5).append(extra).append("]");
            }
            i += 4;
            continue;
        }
        if (in_class && pattern.compare(i, 2, "[:") == 0) {  // a POSIX class such as [:alpha:]
            const size_t end = pattern.find(":]", i + 2);
            if (end != std::string::npos) {
                out.append(pattern, i, end + 2 - i);
                i = end + 1;
                continue;
            }
        }
        out += c;
        if (!in_class && c == '[') {
            in_class = true;
            if (i + 1 < pattern.size() && pattern[i + 1] == '^') out += pattern[++i];
            if (i + 1 < pattern.size() && pattern[i + 1] == ']')
                out += pattern[++i];  // a literal ]
        } else if (in_class && c == ']') {
            in_class = false;
        }
    }
    return out;
}

Regex::Regex(const std::string& pattern, const std::string& where)
    : pattern_(pattern), where_(where), compiled_(std::make_unique<Compiled>()) {
    int error_code = 0;
    PCRE2_SIZE error_offset = 0;
    const std::string widened = widen_unicode_properties(pattern);
    compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(widened.data()), widened.size(),
                                    PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
    if (!compiled_->code) {
        throw InputError(where, "regex does not compile at offset " + std::to_string(error_offset) +
                                    ": " + pcre2_message(error_code));
    }
    compiled_->jit = pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() {
    if (compiled_ && compiled_->code) pcre2_code_free(compiled_->code);
}

void Regex::for_each_match(std::string_view subject,
                           const std::function<void(size_t, size_t)>& on_match) const {
    ThreadMatchState& state = thread_match_state();
    const auto* text = reinterpret_cast<PCRE2_SPTR>(subject.data());
    size_t offset = 0;
    while (offset <= subject.size()) {
        const int rc = compiled_->jit ? pcre2_jit_match(compiled_->code, text, subject.size(),
                                                        offset, 0, state.data, state.context)
                                      : pcre2_match(compiled_->code, text, subject.size(), offset,
                                                    PCRE2_NO_UTF_CHECK, state.data, state.context);
        if (rc == PCRE2_ERROR_NOMATCH) return;
        if (rc < 0) throw InputError(where_, "regex match failed: " + pcre2_message(rc));
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(state.data);
        const size_t start = ovector[0], end = ovector[1];
        on_match(start, end);
        if (end > start) {
            offset = end;
        } else {
            // Empty match: step over one whole character.
            if (start >= subject.size()) return;
            offset = start + 1;
            while (offset < subject.size() &&
                   (static_cast<uint8_t>(subject[offset]) & 0xC0) == 0x80)
                ++offset;
        }
    }
}

}  // namespace remask
