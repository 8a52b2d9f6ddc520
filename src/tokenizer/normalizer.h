#pragma once
// tokenizer.json normalizers: NFC/NFD/NFKC/NFKD (utf8proc), Lowercase, Strip, Replace,
// Prepend, and Sequence of these. Offsets are not tracked: remask needs ids, not spans.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace remask {

class Normalizer {
  public:
    virtual ~Normalizer() = default;
    // Rewrites text (valid UTF-8) in place; the result is valid UTF-8.
    virtual void normalize(std::string& text) const = 0;
};

// Builds the normalizer described by spec (a tokenizer.json "normalizer" object); null
// spec gives nullptr. Throws InputError(where, ...) for an unsupported type or bad field.
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& spec, const std::string& where);

}  // namespace remask
