#include "tokenizer/chat_template.h"

#include "core/error.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unicode_text.h"

namespace remask {

namespace {

// A rendered prompt as a list of pieces: template markers (special tokens) and text.
struct ChatPiece {
    bool marker = false;
    bool optional_marker = false;  // a marker the tokenizer may lack (then it is text)
    std::string text;
};

class PromptBuilder {
  public:
    void marker(const std::string& token, bool optional = false) {
        pieces_.push_back({true, optional, token});
    }
    void text(const std::string& text) {
        if (text.empty()) return;
        if (!pieces_.empty() && !pieces_.back().marker) {
            pieces_.back().text += text;
        } else {
            pieces_.push_back({false, false, text});
        }
    }
    const std::vector<ChatPiece>& pieces() const { return pieces_; }

  private:
    std::vector<ChatPiece> pieces_;
};

// Jinja's trim: whitespace removed from both ends.
std::string trim(const std::string& text) {
    size_t begin = 0, end = text.size();
    while (begin < end) {
        size_t next = begin;
        if (!unicode::is_whitespace(unicode::next_code_point(text, next))) break;
        begin = next;
    }
    while (end > begin) {
        size_t previous = end;
        if (!unicode::is_whitespace(unicode::previous_code_point(text, previous))) break;
        end = previous;
    }
    return text.substr(begin, end - begin);
}

void check_utf8(const std::string& text, const std::string& what) {
    if (unicode::find_invalid_utf8(text) != std::string::npos)
        throw InputError(what, "not valid UTF-8");
}

void render_chatml(PromptBuilder& out, const std::vector<ChatMessage>& messages,
                   bool default_system) {
    // As Dream's template: the default system turn comes with the first message.
    if (default_system && !messages.empty() && messages.front().role != "system") {
        out.marker("<|im_start|>");
        out.text("system\nYou are a helpful assistant.");
        out.marker("<|im_end|>");
        out.text("\n");
    }
    for (size_t i = 0; i < messages.size(); ++i) {
        const ChatMessage& message = messages[i];
        if (message.role == "tool") {
            // Consecutive tool results share one user turn, each wrapped in <tool_response>.
            if (i == 0 || messages[i - 1].role != "tool") {
                out.marker("<|im_start|>");
                out.text("user");
            }
            out.text("\n");
            out.marker("<tool_response>", true);
            out.text("\n" + message.content + "\n");
            out.marker("</tool_response>", true);
            if (i + 1 == messages.size() || messages[i + 1].role != "tool") {
                out.marker("<|im_end|>");
                out.text("\n");
            }
            continue;
        }
        out.marker("<|im_start|>");
        out.text(message.role + "\n" + message.content);
        for (size_t k = 0; k < message.tool_calls.size(); ++k) {
            const ToolCall& call = message.tool_calls[k];
            if (k > 0 || !message.content.empty()) out.text("\n");
            out.marker("<tool_call>", true);
            out.text("\n{\"name\": \"" + call.name + "\", \"arguments\": " + call.arguments +
                     "}\n");
            out.marker("</tool_call>", true);
        }
        out.marker("<|im_end|>");
        out.text("\n");
    }
}

void render_headers(PromptBuilder& out, const std::vector<ChatMessage>& messages,
                    const std::string& begin) {
    if (!messages.empty()) out.marker(begin);  // the templates write BOS with the first message
    for (const ChatMessage& message : messages) {
        out.marker("<|start_header_id|>");
        out.text(message.role == "tool" ? "ipython" : message.role);
        out.marker("<|end_header_id|>");
        std::string content = trim(message.content);
        for (const ToolCall& call : message.tool_calls) {
            if (!content.empty()) content += "\n";
            content += "{\"name\": \"" + call.name + "\", \"parameters\": " + call.arguments + "}";
        }
        out.text("\n\n" + content);
        out.marker("<|eot_id|>");
    }
}

PromptBuilder build(ChatFamily family, const std::vector<ChatMessage>& messages,
                    bool add_generation_prompt, const std::string& partial_assistant) {
    if (!partial_assistant.empty() && !add_generation_prompt) {
        throw InputError("partial_assistant",
                         "a partial assistant turn needs add_generation_prompt");
    }
    for (size_t i = 0; i < messages.size(); ++i) {
        check_utf8(messages[i].content, "messages[" + std::to_string(i) + "].content");
    }
    check_utf8(partial_assistant, "partial_assistant");
    PromptBuilder out;
    switch (family) {
        case ChatFamily::chatml:
        case ChatFamily::dream:
            render_chatml(out, messages, family == ChatFamily::dream);
            if (add_generation_prompt) {
                out.marker("<|im_start|>");
                out.text("assistant\n");
            }
            break;
        case ChatFamily::llama3:
        case ChatFamily::llada:
            render_headers(out, messages,
                           family == ChatFamily::llada ? "<|startoftext|>" : "<|begin_of_text|>");
            if (add_generation_prompt) {
                out.marker("<|start_header_id|>");
                out.text("assistant");
                out.marker("<|end_header_id|>");
                out.text("\n\n");
            }
            break;
    }
    out.text(partial_assistant);
    return out;
}

}  // namespace

ChatFamily chat_family_for_model_type(const std::string& model_type) {
    if (model_type == "llada") return ChatFamily::llada;
    if (model_type == "Dream" || model_type == "dream") return ChatFamily::dream;
    if (model_type == "qwen2" || model_type == "qwen3" || model_type == "qwen2_moe" ||
        model_type == "qwen3_moe") {
        return ChatFamily::chatml;
    }
    if (model_type == "llama") return ChatFamily::llama3;
    throw InputError("model_type", "no chat template for model type '" + model_type +
                                       "' (known: llada, Dream, qwen2, qwen3, llama)");
}

std::string render_chat(ChatFamily family, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt, const std::string& partial_assistant) {
    std::string out;
    const PromptBuilder prompt = build(family, messages, add_generation_prompt, partial_assistant);
    for (const ChatPiece& piece : prompt.pieces()) {
        out += piece.text;
    }
    return out;
}

std::vector<int32_t> encode_chat(const Tokenizer& tokenizer, ChatFamily family,
                                 const std::vector<ChatMessage>& messages,
                                 bool add_generation_prompt, const std::string& partial_assistant) {
    std::vector<int32_t> ids;
    std::string pending;  // text between markers, encoded as one run like the reference would
    const auto flush = [&] {
        if (pending.empty()) return;
        const auto piece_ids = tokenizer.encode(pending, /*recognize_special=*/false);
        ids.insert(ids.end(), piece_ids.begin(), piece_ids.end());
        pending.clear();
    };
    const PromptBuilder prompt = build(family, messages, add_generation_prompt, partial_assistant);
    for (const ChatPiece& piece : prompt.pieces()) {
        if (!piece.marker) {
            pending += piece.text;
            continue;
        }
        const auto id = tokenizer.token_to_id(piece.text);
        if (!id) {
            if (piece.optional_marker) {
                pending += piece.text;
                continue;
            }
            throw InputError(tokenizer.source_name(), "the chat template needs token '" +
                                                          piece.text +
                                                          "', which this tokenizer does not have");
        }
        flush();
        ids.push_back(*id);
    }
    flush();
    return ids;
}

const char* end_of_turn_marker(ChatFamily family) {
    return family == ChatFamily::llama3 || family == ChatFamily::llada ? "<|eot_id|>" : "<|im_end|>";
}

}  // namespace remask
