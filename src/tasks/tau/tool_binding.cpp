#include "tasks/tau/tools.h"

namespace remask::tau {
namespace {

std::string quoted_list(const std::vector<std::string>& names) {
    // Python: 'a' | 'a' and 'b' | 'a', 'b', and 'c'
    std::string out;
    for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += names.size() == 2 ? " and " : (i + 1 == names.size() ? ", and " : ", ");
        out += "'" + names[i] + "'";
    }
    return out;
}

bool matches_annotation(const Json& value, const std::string& annotation) {
    if (annotation == "str") return value.is_string();
    if (annotation == "int") return value.is_number() || value.is_boolean();
    if (annotation == "List[str]") {
        if (!value.is_array()) return false;
        for (const auto& item : value) {
            if (!item.is_string()) return false;
        }
        return true;
    }
    if (annotation == "List[Dict[str, Any]]") {
        if (!value.is_array()) return false;
        for (const auto& item : value) {
            if (!item.is_object()) return false;
        }
        return true;
    }
    return true;
}

}  // namespace

void bind_tool_arguments(const ToolSignature& signature, const Json& kwargs) {
    const std::string function = signature.class_name + ".invoke()";
    if (!kwargs.is_object()) {
        throw ToolError(function + " argument after ** must be a mapping, not " + python_type_name(kwargs));
    }
    for (const auto& [key, value] : kwargs.items()) {
        bool known = false;
        for (const auto& parameter : signature.invoke_parameters) known = known || parameter.name == key;
        if (!known) throw ToolError(function + " got an unexpected keyword argument '" + key + "'");
    }
    std::vector<std::string> missing;
    for (const auto& parameter : signature.invoke_parameters) {
        if (!kwargs.contains(parameter.name)) missing.push_back(parameter.name);
    }
    if (!missing.empty()) {
        throw ToolError(function + " missing " + std::to_string(missing.size()) + " required positional argument" +
                        (missing.size() == 1 ? "" : "s") + ": " + quoted_list(missing));
    }
    for (const auto& parameter : signature.invoke_parameters) {
        const Json& value = kwargs.at(parameter.name);
        if (!matches_annotation(value, parameter.annotation)) {
            throw ToolError("argument '" + parameter.name + "' must be " + parameter.annotation + ", not " +
                            python_type_name(value));
        }
    }
}

}  // namespace remask::tau
