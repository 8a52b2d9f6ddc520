#include "core/toml_table.h"

#include <algorithm>
#include <sstream>

#include "core/error.h"

namespace remask {

TomlTable::TomlTable(const toml::table* table, std::string file, std::string name)
    : table_(table), file_(std::move(file)), name_(std::move(name)) {}

std::string TomlTable::where(const std::string& key) const {
    return file_ + ": [" + name_ + "] " + key;
}

bool TomlTable::has(const std::string& key) const {
    return table_ != nullptr && table_->contains(key);
}

const toml::node* TomlTable::find(const std::string& key) {
    read_.insert(key);
    if (table_ == nullptr) return nullptr;
    return table_->get(key);
}

std::string TomlTable::get_string(const std::string& key, const std::string& fallback) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    if (auto value = node->value<std::string>(); value && node->is_string()) return *value;
    throw InputError(where(key), "expected a string");
}

int64_t TomlTable::get_int(const std::string& key, int64_t fallback) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    if (node->is_integer()) return *node->value<int64_t>();
    throw InputError(where(key), "expected an integer");
}

double TomlTable::get_double(const std::string& key, double fallback) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    if (node->is_floating_point() || node->is_integer()) return *node->value<double>();
    throw InputError(where(key), "expected a number");
}

bool TomlTable::get_bool(const std::string& key, bool fallback) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    if (node->is_boolean()) return *node->value<bool>();
    throw InputError(where(key), "expected true or false");
}

std::vector<double> TomlTable::get_double_array(const std::string& key,
                                                std::vector<double> fallback) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    const toml::array* array = node->as_array();
    if (array == nullptr) throw InputError(where(key), "expected an array of numbers");
    std::vector<double> out;
    for (const toml::node& item : *array) {
        if (!item.is_floating_point() && !item.is_integer())
            throw InputError(where(key), "expected an array of numbers");
        out.push_back(*item.value<double>());
    }
    return out;
}

bool TomlTable::is_array(const std::string& key) const {
    if (table_ == nullptr) return false;
    const toml::node* node = table_->get(key);
    return node != nullptr && node->is_array();
}

std::vector<std::string> TomlTable::get_string_array(const std::string& key,
                                                     std::vector<std::string> fallback) {
    const toml::node* node = find(key);
    if (node == nullptr) return fallback;
    const toml::array* array = node->as_array();
    if (array == nullptr) throw InputError(where(key), "expected an array of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
        if (!item.is_string()) throw InputError(where(key), "expected an array of strings");
        out.push_back(*item.value<std::string>());
    }
    return out;
}

void TomlTable::reject_unknown_keys() const {
    if (table_ == nullptr) return;
    for (const auto& [key, value] : *table_) {
        std::string name(key.str());
        if (!read_.count(name)) throw InputError(where(name), "unknown key");
    }
}

TomlDocument TomlDocument::load(const std::string& path) {
    TomlDocument doc;
    doc.file_ = path;
    try {
        doc.root_ = std::make_shared<toml::table>(toml::parse_file(path));
    } catch (const toml::parse_error& err) {
        const auto& begin = err.source().begin;
        std::ostringstream where;
        where << path << ":" << begin.line << ":" << begin.column;
        throw InputError(where.str(), std::string(err.description()));
    }
    return doc;
}

TomlDocument TomlDocument::parse(const std::string& text, const std::string& source_name) {
    TomlDocument doc;
    doc.file_ = source_name;
    try {
        doc.root_ = std::make_shared<toml::table>(toml::parse(text, source_name));
    } catch (const toml::parse_error& err) {
        const auto& begin = err.source().begin;
        std::ostringstream where;
        where << source_name << ":" << begin.line << ":" << begin.column;
        throw InputError(where.str(), std::string(err.description()));
    }
    return doc;
}

bool TomlDocument::has_table(const std::string& name) const {
    return root_ && root_->get_as<toml::table>(name) != nullptr;
}

TomlTable TomlDocument::table(const std::string& name) const {
    const toml::node* node = root_ ? root_->get(name) : nullptr;
    if (node != nullptr && !node->is_table())
        throw InputError(file_ + ": " + name, "expected a table [" + name + "]");
    return TomlTable(node ? node->as_table() : nullptr, file_, name);
}

void TomlDocument::reject_unknown_tables(const std::vector<std::string>& allowed) const {
    if (!root_) return;
    for (const auto& [key, value] : *root_) {
        std::string name(key.str());
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            throw InputError(file_ + ": [" + name + "]", "unknown table");
    }
}

}  // namespace remask
