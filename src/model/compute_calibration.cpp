#include "model/compute_calibration.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "core/log.h"
#include "kernels/cpu/cpu_features.h"
#include "kernels/cpu/onednn.h"

namespace remask {
namespace {

std::string cpu_model_name() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) == 0) {
            const size_t colon = line.find(':');
            if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
        }
    }
    return "unknown cpu";
}

std::string onednn_version() {
    const dnnl_version_t* v = dnnl_version();
    return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

// One product of the probe: out x in, widths capped so an 8B model probes in seconds.
struct ProbeShape {
    int64_t out, in;
};

std::vector<ProbeShape> probe_shapes(const ModelConfig& c) {
    const int64_t qd = c.num_heads * c.head_dim, kvd = c.num_kv_heads * c.head_dim;
    const int64_t cap = 4096;
    return {{std::min(qd + 2 * kvd, cap), c.hidden_size},
            {std::min(c.hidden_size, cap), qd},
            {std::min(2 * c.ffn_size, cap), c.hidden_size},
            {std::min(c.hidden_size, cap), c.ffn_size}};
}

constexpr int64_t kProbeRows[] = {256, 1024};

// Total milliseconds of the probe's products in `type`, and its GFLOP/s.
std::pair<double, double> time_products(const std::vector<ProbeShape>& shapes, ComputeType type) {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> uniform(-0.05f, 0.05f);
    double total_ms = 0.0, flops = 0.0;
    for (const ProbeShape& shape : shapes) {
        std::vector<float> w(shape.out * shape.in);
        for (float& x : w) x = uniform(rng);
        const Weight weight{DType::f32, w.data(), shape.out, shape.in};
        const PackedLinear linear = PackedLinear::pack({weight}, {{}}, type);
        for (int64_t rows : kProbeRows) {
            std::vector<float> x(rows * shape.in), y(rows * shape.out);
            for (float& v : x) v = uniform(rng);
            linear.apply(x.data(), rows, y.data());  // warm-up: primitive creation
            double best = 1e300;
            for (int rep = 0; rep < 3; ++rep) {
                const auto start = std::chrono::steady_clock::now();
                linear.apply(x.data(), rows, y.data());
                best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
            }
            total_ms += best;
            flops += 2.0 * rows * shape.out * shape.in;
        }
    }
    return {total_ms, flops / (total_ms * 1e6)};
}

std::string calibration_key(const ModelConfig& c) {
    std::string key = cpu_model_name() + "|isa=" + isa_name(active_isa()) +
                      "|threads=" + std::to_string(engine_threads()) + "|onednn=" + onednn_version() + "|shapes=";
    for (const ProbeShape& s : probe_shapes(c)) key += std::to_string(s.out) + "x" + std::to_string(s.in) + ",";
    key.pop_back();
    return key;
}

ComputeType parse_choice(const std::string& name) { return name == "bf16" ? ComputeType::bf16 : ComputeType::f32; }

}  // namespace

std::string calibration_file() {
    if (const char* path = std::getenv("REMASK_CALIBRATION_FILE"); path && *path) return path;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/remask/compute.json";
    const char* home = std::getenv("HOME");
    return std::string(home && *home ? home : ".") + "/.cache/remask/compute.json";
}

ComputeCalibration measure_compute(const ModelConfig& config) {
    use_engine_threads();
    ComputeCalibration result;
    result.key = calibration_key(config);
    result.measured = true;
    const auto shapes = probe_shapes(config);
    std::tie(result.f32_ms, result.f32_gflops) = time_products(shapes, ComputeType::f32);
    std::tie(result.bf16_ms, result.bf16_gflops) = time_products(shapes, ComputeType::bf16);
    result.choice = result.bf16_ms < result.f32_ms ? ComputeType::bf16 : ComputeType::f32;
    return result;
}

ComputeCalibration calibrated_compute(const ModelConfig& config) {
    const std::string path = calibration_file();
    const std::string key = calibration_key(config);
    nlohmann::json stored = nlohmann::json::object();
    {
        std::ifstream in(path);
        if (in) {
            // A damaged file is only a cache: measure again and rewrite it.
            stored = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
            if (!stored.is_object()) stored = nlohmann::json::object();
        }
    }
    if (stored.contains(key) && stored[key].is_object()) {
        const nlohmann::json& e = stored[key];
        ComputeCalibration c;
        c.key = key;
        c.from_file = true;
        c.measured = true;
        c.choice = parse_choice(e.value("choice", "f32"));
        c.f32_ms = e.value("f32_ms", 0.0);
        c.bf16_ms = e.value("bf16_ms", 0.0);
        c.f32_gflops = e.value("f32_gflops", 0.0);
        c.bf16_gflops = e.value("bf16_gflops", 0.0);
        return c;
    }
    log_info("calibrating the compute type (f32 vs bf16 products at this model's shapes; once per machine)");
    ComputeCalibration c = measure_compute(config);
    stored[key] = {{"choice", compute_type_name(c.choice)}, {"f32_ms", c.f32_ms},      {"bf16_ms", c.bf16_ms},
                   {"f32_gflops", c.f32_gflops},           {"bf16_gflops", c.bf16_gflops}};
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    const std::string temp = path + ".tmp" + std::to_string(::getpid());
    {
        std::ofstream out(temp);
        out << stored.dump(2) << "\n";
    }
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        std::filesystem::remove(temp, ec);
        log_warn("could not store the compute calibration in " + path);
    }
    return c;
}

}  // namespace remask
