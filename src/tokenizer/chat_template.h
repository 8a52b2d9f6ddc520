#pragma once
// Chat templates written in code, one per model family (no Jinja engine):
//   chatml  Qwen2 / Qwen2.5 / Qwen3: <|im_start|>role\ncontent<|im_end|>\n ...
//   dream   ChatML, plus the system turn "You are a helpful assistant." when none is given
//   llama3  <|begin_of_text|><|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|> ...
//   llada   LLaMA-3 headers after <|startoftext|> (MODELS.md)
// Qwen2.5's own template also inserts a default system turn ("You are Qwen, created by
// Alibaba Cloud. You are a helpful assistant."); remask always sends its own system prompt
// to targets, so chatml inserts none (as Qwen3 does).
//
//   auto ids = encode_chat(*tokenizer, ChatFamily::dream, {{"user", "Rewrite: <mask>"}},
//                          /*add_generation_prompt=*/true, "Be concise");
//
// encode_chat encodes the template's markers as their special-token ids and everything
// else (roles, message contents, the partial answer) with special-token recognition off,
// so a message containing "<|im_end|>" stays text and cannot end its turn early. For
// contents without such look-alikes it equals encode(render_chat(...)).

#include <cstdint>
#include <string>
#include <vector>

#include "llm/language_model.h"

namespace remask {

class Tokenizer;

enum class ChatFamily { chatml, dream, llama3, llada };

// From config.json's model_type: llada -> llada, Dream -> dream, qwen2 / qwen3 (and
// qwen2_moe, qwen3_moe) -> chatml, llama -> llama3. Unknown: InputError naming it.
ChatFamily chat_family_for_model_type(const std::string& model_type);

// The special token that closes a turn: <|im_end|> (ChatML, Dream) or <|eot_id|>
// (LLaMA-3, LLaDA). A model writing it has finished its answer.
const char* end_of_turn_marker(ChatFamily family);

// The prompt as text. add_generation_prompt opens the assistant turn; partial_assistant
// (only with add_generation_prompt, else InputError) is written right after it, so a model
// continues or infills an answer that has already begun.
std::string render_chat(ChatFamily family, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt, const std::string& partial_assistant = "");

// The ids of the same prompt, markers as special tokens and all other text in plain mode.
// InputError when the tokenizer lacks one of the family's markers.
std::vector<int32_t> encode_chat(const Tokenizer& tokenizer, ChatFamily family,
                                 const std::vector<ChatMessage>& messages,
                                 bool add_generation_prompt,
                                 const std::string& partial_assistant = "");

}  // namespace remask
