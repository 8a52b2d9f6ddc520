#pragma once
// Typed reads of config.json keys, with errors that name the file and key.
// Absent keys and JSON null both mean "use the default", as in Hugging Face configs.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace remask {

class ConfigReader {
public:
    ConfigReader(const nlohmann::json& config, std::string path)
        : config_(config), path_(std::move(path)) {}

    const std::string& path() const { return path_; }
    bool has(const std::string& key) const;  // present and not null

    int64_t integer(const std::string& key) const;  // required, > 0
    int64_t integer_or(const std::string& key, int64_t fallback) const;
    double number_or(const std::string& key, double fallback) const;
    bool flag_or(const std::string& key, bool fallback) const;
    std::string string_or(const std::string& key, const std::string& fallback) const;
    // An id or a list of ids (eos_token_id may be either); empty when absent.
    std::vector<int64_t> id_list(const std::string& key) const;
    const nlohmann::json& raw(const std::string& key) const { return config_.at(key); }

    // The key must be absent, null or equal to `allowed`; otherwise the engine cannot run it.
    void require_flag(const std::string& key, bool allowed, const std::string& why) const;
    void require_string(const std::string& key, const std::string& allowed,
                        const std::string& why) const;
    void require_null(const std::string& key, const std::string& why) const;

    [[noreturn]] void fail(const std::string& key, const std::string& detail) const;

private:
    const nlohmann::json& config_;
    std::string path_;
};

}  // namespace remask
