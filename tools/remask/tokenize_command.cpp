// remask tokenize: text to ids (or tokens) and back with a tokenizer.json, as in
// INTERFACES.md. Thin: the work is in src/tokenizer/.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "commands.h"
#include "core/error.h"
#include "model/gguf_file.h"
#include "model/model_tokenizer.h"
#include "tokenizer/tokenizer.h"

namespace remask::cli {

namespace {

struct TokenizeOptions {
    std::string tokenizer_path;
    std::string text;
    std::string jsonl_path;
    bool tokens = false;
    bool decode = false;
    bool plain = false;
    bool json = false;
};

// A tokenizer.json path, a model folder that holds one, or a .gguf file (its vocabulary,
// or the tokenizer.json beside it).
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
    std::error_code error;
    if (is_gguf_path(path)) return load_gguf_tokenizer(path);
    if (std::filesystem::is_directory(path, error)) {
        const auto file = std::filesystem::path(path) / "tokenizer.json";
        if (!std::filesystem::exists(file, error))
            throw InputError(path, "folder has no tokenizer.json");
        return Tokenizer::from_file(file.string());
    }
    if (!std::filesystem::exists(path, error)) throw InputError(path, "no such file or folder");
    return Tokenizer::from_file(path);
}

std::vector<int32_t> parse_ids(const std::string& text, const std::string& where) {
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error&) {
        throw InputError(where, "expected a JSON array of token ids");
    }
    if (!value.is_array()) throw InputError(where, "expected a JSON array of token ids");
    std::vector<int32_t> ids;
    for (const auto& item : value) {
        if (!item.is_number_integer() || item.get<int64_t>() < INT32_MIN ||
            item.get<int64_t>() > INT32_MAX) {
            throw InputError(where, "token ids must be integers, got " + item.dump());
        }
        ids.push_back(static_cast<int32_t>(item.get<int64_t>()));
    }
    return ids;
}

nlohmann::json encode_one(const Tokenizer& tokenizer, const std::string& text,
                          const TokenizeOptions& options) {
    const std::vector<int32_t> ids = tokenizer.encode(text, !options.plain);
    if (!options.tokens) return ids;
    nlohmann::json tokens = nlohmann::json::array();
    for (const int32_t id : ids) tokens.push_back(tokenizer.id_to_token(id).value_or(""));
    return tokens;
}

void run_jsonl(const Tokenizer& tokenizer, const TokenizeOptions& options) {
    std::ifstream file;
    std::istream* input = &std::cin;
    if (options.jsonl_path != "-") {
        file.open(options.jsonl_path, std::ios::binary);
        if (!file) throw InputError(options.jsonl_path, "cannot open");
        input = &file;
    }
    std::string line;
    for (size_t number = 1; std::getline(*input, line); ++number) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        const std::string where = options.jsonl_path + ":" + std::to_string(number);
        if (options.decode) {
            std::cout << nlohmann::json(tokenizer.decode(parse_ids(line, where))).dump() << "\n";
            continue;
        }
        nlohmann::json value;
        try {
            value = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error&) {
            throw InputError(where, "expected a JSON string");
        }
        if (!value.is_string()) throw InputError(where, "expected a JSON string");
        try {
            std::cout << encode_one(tokenizer, value.get<std::string>(), options).dump() << "\n";
        } catch (const InputError& e) {
            throw InputError(where, e.detail());
        }
    }
}

void run_tokenize(const TokenizeOptions& options, bool text_given) {
    if (options.decode && options.tokens)
        throw UsageError("--tokens", "cannot be combined with --decode");
    if (text_given && !options.jsonl_path.empty())
        throw UsageError("TEXT", "give either TEXT or --jsonl, not both");
    const auto tokenizer = load_tokenizer(options.tokenizer_path);
    if (!options.jsonl_path.empty()) {
        run_jsonl(*tokenizer, options);
        return;
    }
    std::string text = options.text;
    if (!text_given)
        text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (options.decode) {
        const std::string decoded = tokenizer->decode(parse_ids(text, "TEXT"));
        if (options.json) {
            std::cout << nlohmann::json(decoded).dump() << "\n";
        } else {
            std::cout << decoded;
        }
        return;
    }
    std::cout << encode_one(*tokenizer, text, options).dump() << "\n";
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
    auto options = std::make_shared<TokenizeOptions>();
    CLI::App* command =
        app.add_subcommand("tokenize", "Text to token ids (or back) with a tokenizer.json");
    command
        ->add_option("--tokenizer", options->tokenizer_path,
                     "A tokenizer.json, a model folder holding one, or a .gguf file")
        ->required();
    CLI::Option* text =
        command->add_option("text", options->text, "The text (default: read from stdin)");
    command->add_flag("--tokens", options->tokens, "Print the token strings instead of ids");
    command->add_option(
        "--jsonl", options->jsonl_path,
        "Each line of FILE ('-' = stdin) is a JSON string; print one JSON array per line");
    command->add_flag("--decode", options->decode,
                      "The input is a JSON array of ids (per line with --jsonl); print text");
    command->add_flag("--plain", options->plain,
                      "Special tokens written in the text are ordinary text");
    command->add_flag("--json", options->json,
                      "Print JSON (ids and tokens always are; decoded text as a JSON string)");
    command->callback([options, text] { run_tokenize(*options, text->count() > 0); });
}

}  // namespace remask::cli
