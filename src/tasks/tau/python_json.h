#pragma once
// Python-compatible printing of JSON values, so tool outputs and data hashes match
// upstream τ-bench byte for byte.
//
//   python_json_dumps({"a": 1.5, "b": [true]})  == R"({"a": 1.5, "b": [true]})"
//   python_float_repr(1e-05)                     == "1e-05"
//   upstream_data_hash(data)                     == consistent_hash(to_hashable(data))
//
// Values are nlohmann::ordered_json so dict order (Python insertion order) is kept.

#include <nlohmann/json.hpp>

#include <string>

namespace remask::tau {

using Json = nlohmann::ordered_json;

// json.dumps(value) with Python's defaults: ", " and ": " separators, ensure_ascii
// (non-ASCII as \uXXXX, surrogate pairs above U+FFFF), floats as repr().
std::string python_json_dumps(const Json& value);

// repr(float): shortest round-trip digits; exponent form when the exponent is < -4 or
// >= 16 ("1e-05", "1e+16"), else fixed with at least one decimal ("2.0"); "inf", "nan".
std::string python_float_repr(double value);

// repr() of the Python object json.loads would build: 'strings' quoted as Python does,
// True/False/None, [lists], {dicts}.
std::string python_repr(const Json& value);

// str() of that object, as an f-string prints it: strings unquoted, the rest as repr().
std::string python_str(const Json& value);

// str(to_hashable(value)) from upstream envs/base.py: dicts become tuples of (key, value)
// tuples sorted by key, lists become tuples ("(x,)" for one element).
std::string python_hashable_repr(const Json& value);

// sha256 hex of python_hashable_repr(data): upstream's get_data_hash().
std::string upstream_data_hash(const Json& data);

// python_hashable_repr(a) == python_hashable_repr(b), computed without building the
// strings: dicts compare regardless of key order, 1 and 1.0 differ, as upstream's hash
// tells them apart.
bool python_values_equal(const Json& a, const Json& b);

// Same kinds (int vs float), same key order, same values: what a fresh copy looks like.
bool identical_json(const Json& a, const Json& b);

// Python's type name of the value: str, int, float, bool, list, dict, NoneType.
std::string python_type_name(const Json& value);

}  // namespace remask::tau
