#pragma once
// Parsing a tokenizer.json quickly: the model's vocabulary and merges (nearly all of the
// file: 150k-280k entries) are streamed out of the parser into flat vectors instead of a
// JSON tree; everything else becomes a normal nlohmann::json with those two fields null.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace remask {

struct VocabEntry {
    std::string token;
    int64_t id = -1;
};

struct MergeEntry {
    std::string left, right;
};

struct TokenizerJson {
    nlohmann::json root;
    bool vocab_streamed = false;   // model.vocab was an object and is in `vocab`
    bool merges_streamed = false;  // model.merges was an array and is in `merges`
    std::vector<VocabEntry> vocab;
    std::vector<MergeEntry> merges;
};

// Throws InputError(source_name, "not valid JSON: ...") or naming the bad vocabulary entry
// or merge.
TokenizerJson parse_tokenizer_json(const std::string& text, const std::string& source_name);

// One merge written as "a b" or ["a", "b"]; `where` names it for the error.
MergeEntry parse_merge(const nlohmann::json& merge, const std::string& where);

}  // namespace remask
