#pragma once
// The τ-bench tools: their signatures (names, descriptions, JSON-schema parameters, read
// from tool_signatures.json) and their C++ implementations, which behave as upstream's
// Python tools do on the same arguments (outputs equal byte for byte; see python_json.h).
//
// A tool takes the episode's database (mutated in place) and the bound arguments, and
// returns the observation text. It throws ToolError for what upstream raised; the
// environment turns that into "Error: <message>". Errors upstream *returns* (e.g.
// "Error: order not found") are returned as text, exactly as upstream does.

#include <string>
#include <string_view>
#include <vector>

#include "tasks/tau/python_ops.h"

namespace remask::tau {

struct ToolParameter {
    std::string name;
    std::string annotation;  // Python annotation upstream: str | int | List[str] | List[Dict[str, Any]]
};

struct ToolSignature {
    std::string name;        // e.g. "cancel_pending_order"
    std::string class_name;  // upstream class, e.g. "CancelPendingOrder" (for TypeError texts)
    std::string description;
    Json parameters;         // JSON schema object, as in tool_signatures.json
    std::vector<ToolParameter> invoke_parameters;  // the Python invoke() parameters in order
};

// Arguments after binding: every parameter of the signature is present with the type its
// annotation asks for (checked by bind_tool_arguments).
class ToolArgs {
public:
    explicit ToolArgs(const Json& kwargs) : kwargs_(kwargs) {}
    const std::string& str(std::string_view name) const { return kwargs_.find(name)->get_ref<const std::string&>(); }
    const Json& value(std::string_view name) const { return *kwargs_.find(name); }

private:
    const Json& kwargs_;
};

using ToolFunction = std::string (*)(Json& data, const ToolArgs& args);

struct ToolImplementation {
    std::string_view name;
    ToolFunction function;
};

const std::vector<ToolImplementation>& retail_tool_implementations();
const std::vector<ToolImplementation>& airline_tool_implementations();

// Checks kwargs against the signature as Python's call would (unexpected keyword first,
// then missing arguments, with Python's TypeError wording), then checks each value's JSON
// type against its annotation (a remask check: upstream would fail later, or not at all,
// on a mistyped value). Throws ToolError.
void bind_tool_arguments(const ToolSignature& signature, const Json& kwargs);

// str(round(float(eval(expression)), 2)) restricted to "0123456789+-*/(). " as upstream's
// calculate tool; returns its text, "Error: ..." included.
std::string calculate_expression(const std::string& expression);

}  // namespace remask::tau
