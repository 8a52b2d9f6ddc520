#pragma once
// Typed reads from one TOML table that remember which keys were read, so a table can
// reject every key nobody asked for ("unknown key 'stpes'") with the file and table named.
//
//   auto doc = TomlDocument::load("run.toml");
//   TomlTable dlm = doc.table("dlm");
//   int steps = dlm.get_int("steps", 32);
//   dlm.reject_unknown_keys();

#include <toml++/toml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace remask {

class TomlTable {
public:
    TomlTable(const toml::table* table, std::string file, std::string name);

    bool present() const { return table_ != nullptr; }
    bool has(const std::string& key) const;
    bool is_array(const std::string& key) const;

    std::string get_string(const std::string& key, const std::string& fallback);
    int64_t get_int(const std::string& key, int64_t fallback);
    double get_double(const std::string& key, double fallback);  // integers accepted
    bool get_bool(const std::string& key, bool fallback);
    std::vector<double> get_double_array(const std::string& key, std::vector<double> fallback);
    std::vector<std::string> get_string_array(const std::string& key,
                                              std::vector<std::string> fallback);

    // Throws InputError naming the first key that was never read.
    void reject_unknown_keys() const;

    // "file.toml: [dlm] steps", for error messages.
    std::string where(const std::string& key) const;

private:
    const toml::node* find(const std::string& key);

    const toml::table* table_;
    std::string file_;
    std::string name_;
    std::set<std::string> read_;
};

class TomlDocument {
public:
    // Throws InputError with the file, line and column of a syntax error.
    static TomlDocument load(const std::string& path);
    static TomlDocument parse(const std::string& text, const std::string& source_name);

    const std::string& file() const { return file_; }
    TomlTable table(const std::string& name) const;
    bool has_table(const std::string& name) const;
    // Throws InputError for top-level tables or keys not in `allowed`.
    void reject_unknown_tables(const std::vector<std::string>& allowed) const;

private:
    std::shared_ptr<toml::table> root_;
    std::string file_;
};

}  // namespace remask
