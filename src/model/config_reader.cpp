#include "model/config_reader.h"

#include "core/error.h"

namespace remask {

bool ConfigReader::has(const std::string& key) const {
    return config_.contains(key) && !config_[key].is_null();
}

void ConfigReader::fail(const std::string& key, const std::string& detail) const {
    throw InputError(path_ + ": " + key, detail);
}

int64_t ConfigReader::integer(const std::string& key) const {
    if (!has(key)) fail(key, "missing (required for this model family)");
    const int64_t value = integer_or(key, 0);
    if (value <= 0) fail(key, "must be a positive integer, got " + config_[key].dump());
    return value;
}

int64_t ConfigReader::integer_or(const std::string& key, int64_t fallback) const {
    if (!has(key)) return fallback;
    const auto& v = config_[key];
    if (!v.is_number_integer()) fail(key, "must be an integer, got " + v.dump());
    return v.get<int64_t>();
}

double ConfigReader::number_or(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    const auto& v = config_[key];
    if (!v.is_number()) fail(key, "must be a number, got " + v.dump());
    return v.get<double>();
}

bool ConfigReader::flag_or(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const auto& v = config_[key];
    if (!v.is_boolean()) fail(key, "must be true or false, got " + v.dump());
    return v.get<bool>();
}

std::string ConfigReader::string_or(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const auto& v = config_[key];
    if (!v.is_string()) fail(key, "must be a string, got " + v.dump());
    return v.get<std::string>();
}

std::vector<int64_t> ConfigReader::id_list(const std::string& key) const {
    if (!has(key)) return {};
    const auto& v = config_[key];
    if (v.is_number_integer()) return {v.get<int64_t>()};
    std::vector<int64_t> ids;
    if (v.is_array()) {
        for (const auto& id : v) {
            if (!id.is_number_integer()) fail(key, "must be an id or a list of ids, got " + v.dump());
            ids.push_back(id.get<int64_t>());
        }
        return ids;
    }
    fail(key, "must be an id or a list of ids, got " + v.dump());
}

void ConfigReader::require_flag(const std::string& key, bool allowed, const std::string& why) const {
    if (!has(key)) return;
    if (flag_or(key, allowed) != allowed)
        fail(key, std::string("= ") + (allowed ? "false" : "true") + " is not supported: " + why);
}

void ConfigReader::require_string(const std::string& key, const std::string& allowed,
                                  const std::string& why) const {
    if (!has(key)) return;
    const std::string value = string_or(key, allowed);
    if (value != allowed)
        fail(key, "= \"" + value + "\" is not supported (only \"" + allowed + "\"): " + why);
}

void ConfigReader::require_null(const std::string& key, const std::string& why) const {
    if (has(key)) fail(key, "= " + config_[key].dump() + " is not supported: " + why);
}

}  // namespace remask
