#include "optimize/sweep.h"

#include <toml++/toml.h>

#include <sstream>

#include "core/error.h"

namespace remask::optimize {

namespace {

toml::table rendered_tables(const Settings& s) {
    try {
        return toml::parse(settings_to_toml(s));
    } catch (const toml::parse_error& e) {
        throw InputError("settings",
                         std::string("cannot re-read the resolved settings: ") + e.what());
    }
}

}  // namespace

SweepSpec parse_sweep(const std::string& argument) {
    size_t eq = argument.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == argument.size())
        throw UsageError("--sweep",
                         "expected KEY=V1,V2,... (e.g. steps=8,16,32), got '" + argument + "'");
    SweepSpec spec;
    std::string key = argument.substr(0, eq);
    if (size_t dot = key.find('.'); dot != std::string::npos) {
        spec.table = key.substr(0, dot);
        key = key.substr(dot + 1);
    }
    toml::table defaults = rendered_tables(Settings{});
    if (spec.table.empty())
        spec.table = defaults["dlm"].as_table()->contains(key) ? "dlm" : "optimizer";
    if ((spec.table != "dlm" && spec.table != "optimizer") ||
        !defaults[spec.table].as_table()->contains(key))
        throw UsageError("--sweep",
                         "'" + argument.substr(0, eq) + "' is not a [dlm] or [optimizer] key");
    spec.key = key;
    std::istringstream values(argument.substr(eq + 1));
    for (std::string v; std::getline(values, v, ',');) {
        if (v.empty()) throw UsageError("--sweep", "empty value in '" + argument + "'");
        spec.values.push_back(v);
    }
    if (spec.values.size() < 2) throw UsageError("--sweep", "give at least two values to compare");
    return spec;
}

Settings apply_sweep_value(const Settings& base, const SweepSpec& spec, const std::string& value) {
    toml::table root = rendered_tables(base);
    toml::table* table = root[spec.table].as_table();
    const std::string where = "--sweep " + spec.key + "=" + value;
    // A TOML literal when it parses as one (16, 0.5, true, "x"), else a bare string (pareto).
    try {
        toml::table parsed = toml::parse("v = " + value);
        table->insert_or_assign(spec.key, *parsed.get("v"));
    } catch (const toml::parse_error&) {
        table->insert_or_assign(spec.key, value);
    }
    std::ostringstream text;
    text << root;
    Settings s = parse_settings(text.str(), where);
    s.source_file = base.source_file;
    return s;
}

ShardSpec parse_shard(const std::string& argument) {
    ShardSpec shard;
    size_t slash = argument.find('/');
    bool parsed = false;
    if (slash != std::string::npos) {
        try {
            size_t used_index = 0, used_count = 0;
            shard.index = std::stoll(argument.substr(0, slash), &used_index);
            shard.count = std::stoll(argument.substr(slash + 1), &used_count);
            parsed = used_index == slash && used_count == argument.size() - slash - 1;
        } catch (const std::exception&) {
        }
    }
    if (!parsed || shard.count < 1 || shard.index < 1 || shard.index > shard.count)
        throw UsageError("--shard", "expected I/N with 1 <= I <= N (e.g. 2/4; a 0-based array index is "
                                    "I - 1), got '" + argument + "'");
    return shard;
}

std::string sweep_run_name(const SweepSpec& spec, const std::string& value) {
    std::string name = spec.key + "=" + value;
    for (char& c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '=' || c == '.' || c == '-' ||
              c == '_'))
            c = '_';
    return name;
}

}  // namespace remask::optimize
