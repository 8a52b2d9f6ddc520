#pragma once
// One episode's world: its own copy of a domain's database and the tools acting on it.
// invoke() is upstream's Env.step for a tool action: the tool's text, "Error: <message>"
// when it raised, "Unknown action <name>" for a tool the domain lacks.
//
//   TauEnvironment env(load_tau_domain("tau-retail"));
//   env.invoke("get_order_details", {{"order_id", "#W2378156"}});   // JSON text of the order
//   env.data_hash();   // upstream's consistent_hash of the current data

#include <string>

#include "tasks/tau/domain.h"

namespace remask::tau {

class TauEnvironment {
public:
    explicit TauEnvironment(const TauDomain& domain);

    std::string invoke(const std::string& tool, const Json& kwargs);
    // The same from the arguments text a model wrote; text that is not JSON gets
    // "Error: ..." (upstream would have crashed the episode).
    std::string invoke_raw(const std::string& tool, const std::string& arguments);

    // transfer_to_human_agents: the episode ends after it.
    bool is_terminal(const std::string& tool) const;
    bool has_tool(const std::string& tool) const { return domain_->find_tool(tool) != nullptr; }

    const Json& data() const { return data_; }
    std::string data_hash() const { return upstream_data_hash(data_); }
    // The records that differ from the initial database, as python_values_equal sees
    // them: {table: {key: record, or null when deleted}}, tables without changes left out.
    Json changes() const;
    // Back to the initial database, restoring only the records that changed (a full copy
    // costs ~20 ms for retail; this costs one comparison walk).
    void reset();
    const TauDomain& domain() const { return *domain_; }

private:
    const TauDomain* domain_;
    Json data_;
    bool dirty_ = false;  // a tool ran since the last reset (only invoke() can change data_)
};

// Parses a model's tool-call arguments: "" counts as {}; anything else must be JSON.
// Returns false and sets *error when it is not.
bool parse_tool_arguments(const std::string& text, Json* kwargs, std::string* error);

}  // namespace remask::tau
