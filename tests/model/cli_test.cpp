// `remask logits`, `remask info` and `remask bench` end to end through the built binary
// (env REMASK_BIN).

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "model/model.h"
#include "test_support.h"

namespace remask {
namespace {

struct CommandResult {
    int exit_code;
    std::string out;  // stdout
    std::string err;  // stderr
};

// env: "NAME=value " assignments put before the command.
CommandResult run_remask(const std::string& args, const std::string& env = "") {
    const char* bin = std::getenv("REMASK_BIN");
    if (!bin) ADD_FAILURE() << "REMASK_BIN is not set";
    const std::string err_path = test::scratch_dir() + "/stderr.txt";
    const std::string command = env + std::string(bin ? bin : "remask") + " " + args + " 2>" + err_path;
    CommandResult run{-1, "", ""};
    FILE* pipe = ::popen(command.c_str(), "r");
    std::array<char, 4096> buf;
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_path);
    run.err.assign(std::istreambuf_iterator<char>(in), {});
    return run;
}

TEST(Cli, LogitsWritesWhatTheEngineComputes) {
    const std::string model_dir = test::fixture("dream-tiny");
    const std::string out = test::scratch_dir() + "/logits.npy";
    const CommandResult run = run_remask("logits --model " + model_dir + " --ids 5,17,3,590 --rows 0,3 --out " + out);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "");
    const NpyArray written = read_npy_f32(out);
    auto model = Model::load(model_dir);
    std::vector<float> expected;
    model->forward({{5, 17, 3, 590}}, {0, 3}, expected);
    EXPECT_EQ(written.shape, (std::vector<int64_t>{2, 600}));
    EXPECT_EQ(written.data, expected);
}

TEST(Cli, LogitsNpyIsReadableByNumpy) {
    const std::string out = test::scratch_dir() + "/logits.npy";
    ASSERT_EQ(run_remask("logits --model " + test::fixture("llama-tiny") + " --ids 1,2,3 --out " + out).exit_code, 0);
    const std::string check = std::string(REMASK_PYTHON) +
                              " -c \"import numpy as n,sys; a=n.load(sys.argv[1]); "
                              "sys.exit(0 if a.shape==(3,800) and a.dtype==n.float32 else 1)\" " + out;
    EXPECT_EQ(std::system(check.c_str()), 0);
}

TEST(Cli, LogitsErrorsAreOneLine) {
    const std::string out = test::scratch_dir() + "/logits.npy";
    CommandResult bad_ids = run_remask("logits --model " + test::fixture("llama-tiny") + " --ids 1,x --out " + out);
    EXPECT_EQ(bad_ids.exit_code, 2);
    EXPECT_NE(bad_ids.err.find("remask: error: --ids"), std::string::npos) << bad_ids.err;

    CommandResult out_of_vocab = run_remask("logits --model " + test::fixture("llama-tiny") + " --ids 1,900 --out " + out);
    EXPECT_EQ(out_of_vocab.exit_code, 1);
    EXPECT_NE(out_of_vocab.err.find("outside the vocabulary"), std::string::npos) << out_of_vocab.err;

    CommandResult no_model = run_remask("logits --model /nonexistent --ids 1 --out " + out);
    EXPECT_EQ(no_model.exit_code, 1);
    EXPECT_EQ(std::count(no_model.err.begin(), no_model.err.end(), '\n'), 1) << no_model.err;
}

TEST(Cli, InfoJsonDescribesModel) {
    const CommandResult run = run_remask("info --json --model " + test::fixture("llada-tiny-bf16"));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto info = nlohmann::json::parse(run.out);
    EXPECT_EQ(info["family"], "llada");
    EXPECT_EQ(info["attention"], "bidirectional");
    EXPECT_EQ(info["layers"], 2);
    EXPECT_EQ(info["hidden_size"], 64);
    EXPECT_EQ(info["kv_heads"], 2);
    EXPECT_EQ(info["dtype"], "bf16");
    EXPECT_EQ(info["mask_token_id"], 497);
    // embedding + 2 × (2 norms + q,k,v,o + 3 FFN) + final norm + head
    const int64_t d = 64, v = 512, ffn = 96, kv = 32;
    const int64_t per_layer = 2 * d + d * d + 2 * kv * d + d * d + 3 * ffn * d;
    EXPECT_EQ(info["parameters"], v * d + 2 * per_layer + d + v * d);
    EXPECT_EQ(info["weight_bytes"], 2 * info["parameters"].get<int64_t>());
    // bf16 weights are computed in whichever of bf16 and f32 measured faster where the CPU
    // has native bf16 (compute = "auto"), float32 otherwise.
    const std::string isa = info["isa"];
    if (isa == "avx512_bf16") {
        ASSERT_TRUE(info["compute_calibration"].is_object()) << run.out;
        EXPECT_EQ(info["compute"], info["compute_calibration"]["choice"]);
        const double f32 = info["compute_calibration"]["f32_ms"], bf16 = info["compute_calibration"]["bf16_ms"];
        EXPECT_EQ(info["compute"], bf16 < f32 ? "bf16" : "f32");
    } else {
        EXPECT_EQ(info["compute"], "f32");
        EXPECT_TRUE(info["compute_calibration"].is_null());
    }
    EXPECT_GT(info["packed_bytes"].get<int64_t>(), 0);
    // The dual KV cache at the optimizer's shape: 2 layers x 4 x 1,792 tokens x keys and
    // values of 32 floats, in the compute type's width.
    const int64_t element = info["compute"] == "bf16" ? 2 : 4;
    EXPECT_EQ(info["kv_cache_bytes_optimizer_shape"], 2 * 4 * 1792 * 2 * kv * element);
}

TEST(Cli, ComputeFlagForcesTheTypeAndSkipsTheProbe) {
    const CommandResult run = run_remask("info --json --compute f32 --model " + test::fixture("llada-tiny-bf16"));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto info = nlohmann::json::parse(run.out);
    EXPECT_EQ(info["compute"], "f32");
    EXPECT_TRUE(info["compute_calibration"].is_null());
    const CommandResult bad = run_remask("info --compute fp8 --model " + test::fixture("llada-tiny-bf16"));
    EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST(Cli, CalibrationIsStoredPerMachineAndReused) {
    if (std::string(std::getenv("REMASK_MAX_ISA") ? std::getenv("REMASK_MAX_ISA") : "").size() > 0)
        GTEST_SKIP() << "ISA capped: no bf16 candidate";
    const std::string file = testing::TempDir() + "/remask_calibration_" + std::to_string(::getpid()) + ".json";
    std::filesystem::remove(file);
    const std::string env = "REMASK_CALIBRATION_FILE=" + file + " ";
    const CommandResult first = run_remask("info --json --model " + test::fixture("dream-tiny-bf16"), env);
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto a = nlohmann::json::parse(first.out);
    if (a["isa"] != "avx512_bf16") GTEST_SKIP() << "no native bf16: nothing to calibrate";
    EXPECT_FALSE(a["compute_calibration"]["from_file"].get<bool>());
    std::ifstream stored(file);
    ASSERT_TRUE(stored.good()) << file;
    const auto entries = nlohmann::json::parse(stored);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_NE(entries.begin().key().find("onednn="), std::string::npos) << entries.begin().key();
    const CommandResult second = run_remask("info --json --model " + test::fixture("dream-tiny-bf16"), env);
    const auto b = nlohmann::json::parse(second.out);
    EXPECT_TRUE(b["compute_calibration"]["from_file"].get<bool>());
    EXPECT_EQ(b["compute"], a["compute"]);
    EXPECT_EQ(b["compute_calibration"]["f32_ms"], a["compute_calibration"]["f32_ms"]);
    std::filesystem::remove(file);
}

TEST(Cli, BenchJsonReportsTimesAndFlops) {
    const CommandResult run =
        run_remask("bench --json --model " + test::fixture("dream-tiny") + " --length 24 --rows 5 --batch 2 --repeat 3");
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto j = nlohmann::json::parse(run.out);
    std::vector<std::string> keys;
    for (const auto& item : j.items()) keys.push_back(item.key());
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, (std::vector<std::string>{"batch", "gflops", "length", "max_ms", "median_ms", "min_ms", "model",
                                              "rows"}));
    EXPECT_EQ(j["length"], 24);
    EXPECT_EQ(j["rows"], 5);
    EXPECT_EQ(j["batch"], 2);
    EXPECT_LE(j["min_ms"].get<double>(), j["median_ms"].get<double>());
    EXPECT_LE(j["median_ms"].get<double>(), j["max_ms"].get<double>());
    // GFLOP/s is the model's forward FLOPs over the median time.
    auto model = Model::load(test::fixture("dream-tiny"));
    EXPECT_NEAR(j["gflops"].get<double>(), model->forward_flops(2, 24, 5) / (j["median_ms"].get<double>() * 1e6),
                1e-6 * j["gflops"].get<double>());
}

TEST(Cli, BenchTextAndInt8AndBadArguments) {
    const CommandResult text = run_remask("bench --model " + test::fixture("llada-tiny") + " --length 8 --quant int8");
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("int8 compute"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("GFLOP/s"), std::string::npos) << text.out;

    const CommandResult too_many = run_remask("bench --model " + test::fixture("llada-tiny") + " --length 8 --rows 9");
    EXPECT_EQ(too_many.exit_code, 2);
    EXPECT_NE(too_many.err.find("--rows"), std::string::npos) << too_many.err;
    const CommandResult bad_quant = run_remask("bench --model " + test::fixture("llada-tiny") + " --length 8 --quant int4");
    EXPECT_EQ(bad_quant.exit_code, 2) << bad_quant.err;
    const CommandResult no_model = run_remask("bench --model /nonexistent --length 8");
    EXPECT_EQ(no_model.exit_code, 1);
    EXPECT_NE(no_model.err.find("/nonexistent"), std::string::npos) << no_model.err;
}

TEST(ModelFlops, CountsProductsAttentionAndHead) {
    // llada-tiny: d 64, 2 layers, 4 heads of 16 with 2 KV heads, FFN 96, vocab 512.
    auto model = Model::load(test::fixture("llada-tiny"));
    const ModelConfig& c = model->config();
    const double d = c.hidden_size, qd = c.num_heads * c.head_dim, kvd = c.num_kv_heads * c.head_dim;
    const double per_token = 2 * (d * qd + 2 * d * kvd + qd * d + 3 * d * c.ffn_size);
    const double expected = 3 * (10 * c.num_layers * per_token + c.num_layers * 4 * qd * 10 * 10 + 2 * 4 * d * c.vocab_size);
    EXPECT_DOUBLE_EQ(model->forward_flops(3, 10, 4), expected);
}

TEST(Cli, InfoTextNamesFamilyAndAttention) {
    const CommandResult run = run_remask("info --model " + test::fixture("qwen2-tiny"));
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("qwen2"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("causal"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("tied"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace remask
