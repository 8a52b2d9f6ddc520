#include "model/model_tokenizer.h"

#include <filesystem>

#include "core/error.h"
#include "model/gguf_checkpoint.h"
#include "model/gguf_file.h"
#include "tokenizer/vocab_tokenizer.h"

namespace remask {

std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path) {
    const GgufFile file(path);
    VocabDescription v;
    if (!file.value("tokenizer.ggml.model")) file.fail("tokenizer.ggml.model", "missing: the file has no vocabulary");
    v.model = file.string("tokenizer.ggml.model");
    if (file.value("tokenizer.ggml.pre")) v.pre = file.string("tokenizer.ggml.pre");
    v.tokens = file.strings_or_empty("tokenizer.ggml.tokens");
    if (v.tokens.empty()) file.fail("tokenizer.ggml.tokens", "missing or empty");
    v.merges = file.strings_or_empty("tokenizer.ggml.merges");
    if (const GgufValue* types = file.value("tokenizer.ggml.token_type")) {
        if (types->type != GgufValueType::array) file.fail("tokenizer.ggml.token_type", "must be an array");
        for (const GgufValue& t : types->items) {
            if (!t.is_integer()) file.fail("tokenizer.ggml.token_type", "must be an array of integers");
            v.types.push_back(static_cast<int32_t>(t.i));
        }
    }
    v.bos_id = file.integer_or("tokenizer.ggml.bos_token_id", -1);
    v.add_bos = file.flag_or("tokenizer.ggml.add_bos_token", false);
    return tokenizer_from_vocab(v, path);
}

std::unique_ptr<Tokenizer> load_model_tokenizer(const std::string& model) {
    const std::string beside = tokenizer_json_for_model(model);
    if (std::filesystem::exists(beside)) return Tokenizer::from_file(beside);
    if (is_gguf_path(model)) return load_gguf_tokenizer(model);
    throw InputError(beside, "not found: the model folder needs its tokenizer.json");
}

}  // namespace remask
