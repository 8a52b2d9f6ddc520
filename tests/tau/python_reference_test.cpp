// Our Python-compatible printing and the calculate tool against Python itself
// (REMASK_PYTHON): repr(float), json.dumps, str(to_hashable(...)) as upstream's hash
// builds it, and str(round(float(eval(expression)), 2)).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

#include "tasks/tau/tools.h"

namespace remask::tau {
namespace {

// Runs a Python program over input lines (one JSON value each); returns its output lines.
std::vector<std::string> run_python(const std::string& program, const std::vector<std::string>& inputs) {
    const std::string base = std::string(REMASK_BINARY_DIR) + "/tau_python_reference_" + std::to_string(::getpid());
    {
        std::ofstream script(base + ".py");
        script << program;
        std::ofstream in(base + ".in");
        for (const auto& line : inputs) in << line << "\n";
    }
    std::string command = std::string(REMASK_PYTHON) + " " + base + ".py < " + base + ".in > " + base + ".out";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream out(base + ".out");
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(out, line)) lines.push_back(line);
    std::remove((base + ".py").c_str());
    std::remove((base + ".in").c_str());
    std::remove((base + ".out").c_str());
    return lines;
}

TEST(TauPythonReference, FloatRepr) {
    std::vector<double> values = {0.1, 0.3, 1.0, -0.0, 1e16, 1e15, 9999999999999998.0, 1e-4, 1e-5, 0.00012,
                                  123.456, 5.100000000000001, 1819.92, 2.5e-300, 1.7976931348623157e308, -42.0};
    std::mt19937_64 random(7);
    for (int i = 0; i < 400; ++i) {
        uint64_t bits = random();
        double value;
        std::memcpy(&value, &bits, sizeof value);
        if (std::isfinite(value)) values.push_back(value);
        values.push_back(static_cast<double>(random() % 1000000) / 100.0);
        values.push_back(std::ldexp(static_cast<double>(random() % 1000), static_cast<int>(random() % 120) - 60));
    }
    std::vector<std::string> inputs;
    for (double value : values) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%a", value);  // exact, for float.fromhex
        inputs.push_back(buffer);
    }
    auto lines = run_python("import sys\nfor line in sys.stdin:\n    print(repr(float.fromhex(line.strip())))\n", inputs);
    ASSERT_EQ(lines.size(), values.size());
    for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(python_float_repr(values[i]), lines[i]) << inputs[i];
}

std::vector<std::string> json_samples() {
    return {
        R"({"b": 1, "a": [1.5, -2, 3e20, 1e-7, true, false, null], "c": {"z": "x", "y": {}}})",
        R"(["caf\u00e9", "emoji \ud83d\ude00", "tab\there", "quote \" and ' and \\", "ctl \u0001\u007f", "\u00a0nbsp \u200b"])",
        R"({"it's": "a \"b\"", "only'single": "x'y", "both'\"": 0.0, "neg": -0.0})",
        R"([[], {}, [[1]], {"k": [2]}, 12345678901234567, 1.0, 100.0, 0.1, 1e22])",
        R"({"order_id": "#W1", "amount": 1093.34, "items": [{"price": 342.81}], "ok": true})",
    };
}

TEST(TauPythonReference, JsonDumps) {
    auto inputs = json_samples();
    auto lines = run_python("import sys, json\nfor line in sys.stdin:\n    print(json.dumps(json.loads(line)))\n", inputs);
    ASSERT_EQ(lines.size(), inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) EXPECT_EQ(python_json_dumps(Json::parse(inputs[i])), lines[i]);
}

TEST(TauPythonReference, HashableReprAndHash) {
    auto inputs = json_samples();
    const char* program =
        "import sys, json, hashlib\n"
        "def h(x):\n"
        "    if isinstance(x, dict):\n"
        "        return tuple((k, h(v)) for k, v in sorted(x.items()))\n"
        "    if isinstance(x, list):\n"
        "        return tuple(h(v) for v in x)\n"
        "    return x\n"
        "for line in sys.stdin:\n"
        "    s = str(h(json.loads(line)))\n"
        "    print(json.dumps(s))\n"
        "    print(hashlib.sha256(s.encode('utf-8')).hexdigest())\n";
    auto lines = run_python(program, inputs);
    ASSERT_EQ(lines.size(), 2 * inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
        Json value = Json::parse(inputs[i]);
        EXPECT_EQ(python_hashable_repr(value), Json::parse(lines[2 * i]).get<std::string>()) << inputs[i];
        EXPECT_EQ(upstream_data_hash(value), lines[2 * i + 1]) << inputs[i];
    }
}

TEST(TauPythonReference, Calculate) {
    std::vector<std::string> expressions = {
        "2 + 2", "10 / 3", "(1 + 2) * 3 / 4", "0.1 + 0.2", "-2 ** 2", "2 ** -1", "2 ** 3 ** 2", "7 // 2",
        "-7 // 2", "7.5 // 2", "-7.5 // 2", "1 / 0", "1.0 / 0", "5 // 0", "5.0 // 0", "0 ** -1", "1 +",
        "(1 + 2", "1 + 2)", "", "   3", "01", "00 + 1", "1.5.2", ".5 + 1.", "342.81 + 561.05 + 272.33",
        "1819.92 - 272.33 + 269.16", "2 * (3 + 4) * 5", "100 - 100 * 0.15", "3 * -2", "+-+3", "2 3",
        "()", "1e5", "2 ^ 3", "10 ** 20", "10 ** 20 / 7", "123456789 * 987654321", "(-8) ** 0.5", "1.005 * 100",
        "2.675 * 1", "0.125 + 0.0", "-0.001", "8 / 2 / 2", "2 ** 0.5", "-(3)", "((((1))))", "5 * 1.1",
    };
    std::vector<std::string> inputs;
    for (const auto& e : expressions) inputs.push_back(Json(e).dump());
    const char* program =
        "import sys, json\n"
        "for line in sys.stdin:\n"
        "    e = json.loads(line)\n"
        "    if not all(c in '0123456789+-*/(). ' for c in e):\n"
        "        print(json.dumps('Error: invalid characters in expression')); continue\n"
        "    try:\n"
        "        print(json.dumps(str(round(float(eval(e, {'__builtins__': None}, {})), 2))))\n"
        "    except Exception as x:\n"
        "        print(json.dumps(f'Error: {x}'))\n";
    auto lines = run_python(program, inputs);
    ASSERT_EQ(lines.size(), expressions.size());
    for (size_t i = 0; i < expressions.size(); ++i) {
        EXPECT_EQ(calculate_expression(expressions[i]), Json::parse(lines[i]).get<std::string>())
            << "expression: " << expressions[i];
    }
}

}  // namespace
}  // namespace remask::tau
