#pragma once
// The few Python semantics the τ-bench tools rely on, applied to JSON values: int stays
// int until a float joins in, round(x, 2), `in` on dicts, d[key] raising KeyError. A
// failure throws ToolError carrying the message Python's exception would print, so the
// agent sees the same "Error: <message>" as upstream.

#include <stdexcept>
#include <string>
#include <string_view>

#include "tasks/tau/python_json.h"

namespace remask::tau {

// What a tool raised; the environment answers "Error: " + what().
class ToolError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// a + b, a - b, a * b with Python's int/float rules (bool counts as int); anything else
// raises "unsupported operand type(s) for +: 'int' and 'str'".
Json py_add(const Json& a, const Json& b);
Json py_sub(const Json& a, const Json& b);
Json py_mul(const Json& a, const Json& b);
Json py_neg(const Json& a);
Json py_abs(const Json& a);
// a < b for numbers or strings; else "'<' not supported between instances of ...".
bool py_less(const Json& a, const Json& b);
// a == b as Python compares the loaded values (1 == 1.0, True == 1).
bool py_equal(const Json& a, const Json& b);
// round(x, 2): ints unchanged, floats correctly rounded to two decimals.
Json py_round2(const Json& x);
// bool(x) as an `if` would see it.
bool py_truthy(const Json& x);

// key in container (a dict): a non-str key is never found; a list or dict key raises
// "unhashable type: 'list'".
bool py_contains(const Json& dict, const Json& key);
// container[key]: KeyError "'key'" when missing; TypeError when container is not a dict.
const Json& py_get(const Json& dict, const Json& key);
Json& py_get(Json& dict, const Json& key);
const Json& py_get(const Json& dict, const char* key);
Json& py_get(Json& dict, const char* key);
// len(x) of a list, dict or str.
size_t py_len(const Json& x);

}  // namespace remask::tau
