// The calculate tool: Python's eval() of + - * / // ** and parentheses over int and float
// literals, then str(round(float(result), 2)). Ints are exact (int64, float past that),
// `/` is true division, `//` floors, `**` binds tighter than unary minus on its left.
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

#include "tasks/tau/tools.h"

namespace remask::tau {
namespace {

struct Number {
    bool is_int = true;
    int64_t i = 0;
    double f = 0;
    double as_double() const { return is_int ? static_cast<double>(i) : f; }
};

Number make_float(double value) { return Number{false, 0, value}; }

// A SyntaxError or arithmetic error, with the message Python prints.
struct EvalError {
    std::string message;
};

[[noreturn]] void syntax_error(const std::string& what = "invalid syntax") {
    throw EvalError{what + " (<string>, line 1)"};
}

class Parser {
public:
    explicit Parser(const std::string& text) : text_(text) {}

    Number parse() {
        skip_spaces();
        if (pos_ == text_.size()) throw EvalError{"invalid syntax (<string>, line 0)"};
        Number value = parse_sum();
        skip_spaces();
        if (pos_ != text_.size()) {
            if (text_[pos_] == ')') syntax_error("unmatched ')'");
            syntax_error();
        }
        return value;
    }

private:
    void skip_spaces() {
        while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
    }
    bool accept(const char* token) {
        skip_spaces();
        size_t n = std::char_traits<char>::length(token);
        if (text_.compare(pos_, n, token) != 0) return false;
        // "*" must not eat the first half of "**", nor "/" of "//".
        if (n == 1 && pos_ + 1 < text_.size() && text_[pos_ + 1] == token[0] && (token[0] == '*' || token[0] == '/')) {
            return false;
        }
        pos_ += n;
        return true;
    }

    Number parse_sum() {
        Number value = parse_product();
        while (true) {
            if (accept("+")) value = add(value, parse_product(), +1);
            else if (accept("-")) value = add(value, parse_product(), -1);
            else return value;
        }
    }

    Number parse_product() {
        Number value = parse_unary();
        while (true) {
            if (accept("//")) value = floor_divide(value, parse_unary());
            else if (accept("*")) value = multiply(value, parse_unary());
            else if (accept("/")) value = divide(value, parse_unary());
            else return value;
        }
    }

    Number parse_unary() {
        if (accept("-")) {
            Number value = parse_unary();
            if (value.is_int) value.i = -value.i;
            else value.f = -value.f;
            return value;
        }
        if (accept("+")) return parse_unary();
        return parse_power();
    }

    Number parse_power() {
        Number base = parse_atom();
        if (accept("**")) return power(base, parse_unary());
        return base;
    }

    Number parse_atom() {
        skip_spaces();
        if (pos_ >= text_.size()) syntax_error();
        if (text_[pos_] == '(') {
            ++pos_;
            skip_spaces();
            if (pos_ < text_.size() && text_[pos_] == ')') {
                throw EvalError{"float() argument must be a string or a real number, not 'tuple'"};
            }
            Number value = parse_sum();
            skip_spaces();
            if (pos_ >= text_.size()) syntax_error("'(' was never closed");
            if (text_[pos_] != ')') syntax_error();
            ++pos_;
            return value;
        }
        size_t start = pos_;
        while (pos_ < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '.')) ++pos_;
        std::string literal = text_.substr(start, pos_ - start);
        if (literal.empty() || literal == "." || literal.find('.') != literal.rfind('.')) syntax_error();
        if (literal.find('.') != std::string::npos) return make_float(std::strtod(literal.c_str(), nullptr));
        if (literal.size() > 1 && literal[0] == '0' && literal.find_first_not_of('0') != std::string::npos) {
            syntax_error("leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers");
        }
        errno = 0;
        long long parsed = std::strtoll(literal.c_str(), nullptr, 10);
        if (errno == ERANGE) return make_float(std::strtod(literal.c_str(), nullptr));
        return Number{true, parsed, 0};
    }

    static Number add(Number a, Number b, int sign) {
        int64_t out = 0;
        if (a.is_int && b.is_int) {
            bool overflow = sign > 0 ? __builtin_add_overflow(a.i, b.i, &out) : __builtin_sub_overflow(a.i, b.i, &out);
            if (!overflow) return Number{true, out, 0};
        }
        return make_float(sign > 0 ? a.as_double() + b.as_double() : a.as_double() - b.as_double());
    }

    static Number multiply(Number a, Number b) {
        int64_t out = 0;
        if (a.is_int && b.is_int && !__builtin_mul_overflow(a.i, b.i, &out)) return Number{true, out, 0};
        return make_float(a.as_double() * b.as_double());
    }

    static Number divide(Number a, Number b) {
        if (b.as_double() == 0) throw EvalError{a.is_int && b.is_int ? "division by zero" : "float division by zero"};
        return make_float(a.as_double() / b.as_double());
    }

    static Number floor_divide(Number a, Number b) {
        if (a.is_int && b.is_int) {
            if (b.i == 0) throw EvalError{"integer division or modulo by zero"};
            int64_t q = a.i / b.i;
            if ((a.i % b.i != 0) && ((a.i < 0) != (b.i < 0))) --q;
            return Number{true, q, 0};
        }
        double x = a.as_double(), y = b.as_double();
        if (y == 0) throw EvalError{"float floor division by zero"};
        // CPython's float_divmod.
        double mod = std::fmod(x, y);
        double div = (x - mod) / y;
        if (mod != 0 && ((y < 0) != (mod < 0))) div -= 1.0;
        double floored = 0;
        if (div != 0) {
            floored = std::floor(div);
            if (div - floored > 0.5) floored += 1.0;
        } else {
            floored = std::copysign(0.0, x / y);
        }
        return make_float(floored);
    }

    static Number power(Number a, Number b) {
        if (a.is_int && b.is_int && b.i >= 0) {
            int64_t result = 1, base = a.i, exponent = b.i;
            bool overflow = false;
            while (exponent > 0 && !overflow) {
                if (exponent & 1) overflow = __builtin_mul_overflow(result, base, &result);
                exponent >>= 1;
                if (exponent > 0 && !overflow) overflow = __builtin_mul_overflow(base, base, &base);
            }
            if (!overflow) return Number{true, result, 0};
            return make_float(std::pow(a.as_double(), b.as_double()));
        }
        double x = a.as_double(), y = b.as_double();
        if (x == 0 && y < 0) throw EvalError{"0.0 cannot be raised to a negative power"};
        if (x < 0 && y != std::floor(y)) {
            throw EvalError{"float() argument must be a string or a real number, not 'complex'"};
        }
        double result = std::pow(x, y);
        if (std::isinf(result)) throw EvalError{"(34, 'Numerical result out of range')"};
        return make_float(result);
    }

    const std::string& text_;
    size_t pos_ = 0;
};

}  // namespace

std::string calculate_expression(const std::string& expression) {
    for (char c : expression) {
        if (std::string_view("0123456789+-*/(). ").find(c) == std::string_view::npos) {
            return "Error: invalid characters in expression";
        }
    }
    try {
        Number value = Parser(expression).parse();
        Json rounded = py_round2(Json(value.as_double()));
        return python_float_repr(rounded.get<double>());
    } catch (const EvalError& error) {
        return "Error: " + error.message;
    }
}

}  // namespace remask::tau
