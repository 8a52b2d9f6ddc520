#pragma once
// Reading tokenizer.json fields with errors that name the field at fault.

#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace remask::json_fields {

// The member key of object, which must exist and be of the expected type; `where` names the
// object ("tokenizer.json: normalizer") for the error.
inline const nlohmann::json& require(const nlohmann::json& object, const char* key,
                                     const std::string& where) {
    if (!object.is_object()) throw InputError(where, "expected a JSON object");
    const auto it = object.find(key);
    if (it == object.end()) throw InputError(where + "." + key, "missing");
    return *it;
}

inline std::string require_string(const nlohmann::json& object, const char* key,
                                  const std::string& where) {
    const auto& value = require(object, key, where);
    if (!value.is_string()) throw InputError(where + "." + key, "expected a string");
    return value.get<std::string>();
}

// An optional boolean (absent or null gives fallback).
inline bool optional_bool(const nlohmann::json& object, const char* key, bool fallback,
                          const std::string& where) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) throw InputError(where + "." + key, "expected true or false");
    return it->get<bool>();
}

// An optional string (absent or null gives fallback).
inline std::string optional_string(const nlohmann::json& object, const char* key,
                                   const std::string& fallback, const std::string& where) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    if (!it->is_string()) throw InputError(where + "." + key, "expected a string");
    return it->get<std::string>();
}

}  // namespace remask::json_fields
