#pragma once
// tokenizer.json post-processors, for encoding "with special tokens" (Hugging Face's
// add_special_tokens=True) of a single sequence: TemplateProcessing, RobertaProcessing,
// BertProcessing, ByteLevel (adds nothing: it only adjusts offsets) and Sequence.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace remask {

class PostProcessor {
  public:
    virtual ~PostProcessor() = default;
    // Wraps the ids of one sequence with the special tokens the template adds.
    virtual std::vector<int32_t> apply(std::vector<int32_t> ids) const = 0;
};

// null spec gives nullptr (nothing is added). Throws InputError(where, ...) for an
// unsupported type or a bad field.
std::unique_ptr<PostProcessor> make_post_processor(const nlohmann::json& spec,
                                                   const std::string& where);

}  // namespace remask
