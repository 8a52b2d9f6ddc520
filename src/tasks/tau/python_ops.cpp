#include "tasks/tau/python_ops.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace remask::tau {
namespace {

bool is_intlike(const Json& x) { return x.is_number_integer() || x.is_boolean(); }
bool is_numeric(const Json& x) { return x.is_number() || x.is_boolean(); }

int64_t as_int(const Json& x) {
    if (x.is_boolean()) return x.get<bool>() ? 1 : 0;
    if (x.is_number_unsigned()) return static_cast<int64_t>(x.get<uint64_t>());
    return x.get<int64_t>();
}

double as_double(const Json& x) {
    if (x.is_number_float()) return x.get<double>();
    return static_cast<double>(as_int(x));
}

[[noreturn]] void operand_error(const char* op, const Json& a, const Json& b) {
    throw ToolError(std::string("unsupported operand type(s) for ") + op + ": '" + python_type_name(a) +
                    "' and '" + python_type_name(b) + "'");
}

template <typename IntOp, typename FloatOp>
Json arithmetic(const char* op, const Json& a, const Json& b, IntOp int_op, FloatOp float_op) {
    if (!is_numeric(a) || !is_numeric(b)) operand_error(op, a, b);
    if (is_intlike(a) && is_intlike(b)) {
        int64_t out = 0;
        // Python ints never overflow; past int64 we fall back to float, which no τ-bench
        // amount comes near.
        if (!int_op(as_int(a), as_int(b), &out)) return Json(out);
        return Json(float_op(as_double(a), as_double(b)));
    }
    return Json(float_op(as_double(a), as_double(b)));
}

}  // namespace

Json py_add(const Json& a, const Json& b) {
    if (a.is_string() && b.is_string()) return Json(a.get<std::string>() + b.get<std::string>());
    return arithmetic("+", a, b, [](int64_t x, int64_t y, int64_t* r) { return __builtin_add_overflow(x, y, r); },
                      [](double x, double y) { return x + y; });
}

Json py_sub(const Json& a, const Json& b) {
    return arithmetic("-", a, b, [](int64_t x, int64_t y, int64_t* r) { return __builtin_sub_overflow(x, y, r); },
                      [](double x, double y) { return x - y; });
}

Json py_mul(const Json& a, const Json& b) {
    return arithmetic("*", a, b, [](int64_t x, int64_t y, int64_t* r) { return __builtin_mul_overflow(x, y, r); },
                      [](double x, double y) { return x * y; });
}

Json py_neg(const Json& a) {
    if (!is_numeric(a)) throw ToolError("bad operand type for unary -: '" + python_type_name(a) + "'");
    if (is_intlike(a)) return Json(-as_int(a));
    return Json(-a.get<double>());
}

Json py_abs(const Json& a) {
    if (!is_numeric(a)) throw ToolError("bad operand type for abs(): '" + python_type_name(a) + "'");
    if (is_intlike(a)) return Json(std::llabs(as_int(a)));
    return Json(std::fabs(a.get<double>()));
}

bool py_less(const Json& a, const Json& b) {
    if (is_numeric(a) && is_numeric(b)) {
        if (is_intlike(a) && is_intlike(b)) return as_int(a) < as_int(b);
        return as_double(a) < as_double(b);
    }
    if (a.is_string() && b.is_string()) return a.get_ref<const std::string&>() < b.get_ref<const std::string&>();
    throw ToolError("'<' not supported between instances of '" + python_type_name(a) + "' and '" +
                    python_type_name(b) + "'");
}

bool py_equal(const Json& a, const Json& b) {
    if (identical_json(a, b)) return true;  // the common case, without key lookups
    if (is_numeric(a) && is_numeric(b)) {
        if (is_intlike(a) && is_intlike(b)) return as_int(a) == as_int(b);
        return as_double(a) == as_double(b);
    }
    if (a.type() != b.type()) return false;
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i) {
            if (!py_equal(a[i], b[i])) return false;
        }
        return true;
    }
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (const auto& [key, value] : a.items()) {
            auto it = b.find(key);
            if (it == b.end() || !py_equal(value, *it)) return false;
        }
        return true;
    }
    return a == b;
}

Json py_round2(const Json& x) {
    if (is_intlike(x)) return Json(as_int(x));
    if (!x.is_number_float()) {
        throw ToolError("type " + python_type_name(x) + " doesn't define __round__ method");
    }
    double value = x.get<double>();
    if (!std::isfinite(value)) return Json(value);
    // printf rounds the exact binary value half-to-even, as Python's round() does.
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    return Json(std::strtod(buffer, nullptr));
}

bool py_truthy(const Json& x) {
    if (x.is_null()) return false;
    if (x.is_boolean()) return x.get<bool>();
    if (x.is_number()) return as_double(x) != 0;
    if (x.is_string() || x.is_array() || x.is_object()) return !x.empty();
    return true;
}

bool py_contains(const Json& dict, const Json& key) {
    if (key.is_array() || key.is_object()) throw ToolError("unhashable type: '" + python_type_name(key) + "'");
    if (!dict.is_object()) {
        throw ToolError("argument of type '" + python_type_name(dict) + "' is not iterable");
    }
    return key.is_string() && dict.contains(key.get_ref<const std::string&>());
}

const Json& py_get(const Json& dict, const Json& key) {
    if (!py_contains(dict, key)) throw ToolError(python_repr(key));
    return dict.find(key.get_ref<const std::string&>()).value();
}

Json& py_get(Json& dict, const Json& key) {
    if (!py_contains(dict, key)) throw ToolError(python_repr(key));
    return dict.find(key.get_ref<const std::string&>()).value();
}

const Json& py_get(const Json& dict, const char* key) {
    if (!dict.is_object()) throw ToolError("'" + python_type_name(dict) + "' object is not subscriptable");
    auto it = dict.find(key);
    if (it == dict.end()) throw ToolError(python_repr(Json(key)));
    return *it;
}

Json& py_get(Json& dict, const char* key) {
    if (!dict.is_object()) throw ToolError("'" + python_type_name(dict) + "' object is not subscriptable");
    auto it = dict.find(key);
    if (it == dict.end()) throw ToolError(python_repr(Json(key)));
    return *it;
}

size_t py_len(const Json& x) {
    if (x.is_array() || x.is_object()) return x.size();
    if (x.is_string()) return x.get_ref<const std::string&>().size();
    throw ToolError("object of type '" + python_type_name(x) + "' has no len()");
}

}  // namespace remask::tau
