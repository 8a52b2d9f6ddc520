#include "tasks/tau/environment.h"

#include <algorithm>

namespace remask::tau {

TauEnvironment::TauEnvironment(const TauDomain& domain) : domain_(&domain), data_(domain.initial_data) {}

std::string TauEnvironment::invoke(const std::string& tool, const Json& kwargs) {
    const auto& tools = domain_->tools;
    for (size_t i = 0; i < tools.size(); ++i) {
        if (tools[i].name != tool) continue;
        dirty_ = true;
        try {
            bind_tool_arguments(tools[i], kwargs);
            return domain_->functions[i](data_, ToolArgs(kwargs));
        } catch (const ToolError& error) {
            return std::string("Error: ") + error.what();
        } catch (const std::exception& error) {
            // E.g. a value of an unexpected type deep in an argument (a number where a
            // name was expected): an error for the agent, as upstream catches every
            // Exception, never a crash.
            return std::string("Error: ") + error.what();
        }
    }
    return "Unknown action " + tool;
}

bool parse_tool_arguments(const std::string& text, Json* kwargs, std::string* error) {
    if (std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; })) {
        *kwargs = Json::object();
        return true;
    }
    try {
        *kwargs = Json::parse(text);
        return true;
    } catch (const Json::exception& parse_error) {
        *error = std::string("tool call arguments are not valid JSON: ") + parse_error.what();
        return false;
    }
}

std::string TauEnvironment::invoke_raw(const std::string& tool, const std::string& arguments) {
    Json kwargs;
    std::string error;
    if (!parse_tool_arguments(arguments, &kwargs, &error)) return "Error: " + error;
    return invoke(tool, kwargs);
}

namespace {

// Walks the initial records alongside a table's records. Tools keep records in place
// (they only append new ones), so the next initial record is tried first: ordered_json's
// find() is a linear scan.
class InitialRecords {
public:
    explicit InitialRecords(const Json& records) : records_(records), next_(records.begin()) {}
    const Json* find(const std::string& key) {
        if (next_ != records_.end() && next_.key() == key) return &*(next_++);
        auto it = records_.find(key);
        return it == records_.end() ? nullptr : &*it;
    }

private:
    const Json& records_;
    Json::const_iterator next_;
};

}  // namespace

Json TauEnvironment::changes() const {
    Json out = Json::object();
    if (!dirty_) return out;
    for (const auto& [table, initial_records] : domain_->initial_data.items()) {
        const Json& records = data_.at(table);
        Json changed = Json::object();
        InitialRecords initial_walk(initial_records);
        size_t matched = 0;
        for (auto it = records.begin(); it != records.end(); ++it) {
            const Json* initial = initial_walk.find(it.key());
            matched += initial != nullptr;
            if (!initial || !python_values_equal(*initial, it.value())) changed[it.key()] = it.value();
        }
        if (matched != initial_records.size()) {
            for (const auto& [key, record] : initial_records.items()) {
                if (!records.contains(key)) changed[key] = nullptr;
            }
        }
        if (!changed.empty()) out[table] = std::move(changed);
    }
    return out;
}

void TauEnvironment::reset() {
    if (!dirty_) return;
    dirty_ = false;
    for (const auto& [table, initial_records] : domain_->initial_data.items()) {
        Json& records = data_[table];
        if (!records.is_object()) {
            records = initial_records;
            continue;
        }
        std::vector<std::string> added;
        InitialRecords initial_walk(initial_records);
        for (auto it = records.begin(); it != records.end(); ++it) {
            const Json* initial = initial_walk.find(it.key());
            if (!initial) added.push_back(it.key());
            else if (!identical_json(*initial, it.value())) it.value() = *initial;
        }
        for (const auto& key : added) records.erase(key);
        // A record a tool deleted must come back at its place, as in a fresh copy.
        if (records.size() != initial_records.size()) records = initial_records;
    }
}

bool TauEnvironment::is_terminal(const std::string& tool) const {
    const auto& terminal = domain_->terminal_tools;
    return std::find(terminal.begin(), terminal.end(), tool) != terminal.end();
}

}  // namespace remask::tau
