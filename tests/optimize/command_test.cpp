// `remask optimize` logic with fake wiring: checks before writing, projection and
// --dry-run, confirmation, --resume with the stored config, --force, sweeps.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fakes.h"
#include "optimize/projection.h"
#include "optimize/run_optimize.h"
#include "optimize/sweep.h"

namespace fs = std::filesystem;

namespace remask::optimize {
namespace {

using testing::FakeWorld;
using testing::temp_dir;
using testing::write_config;

struct Cli {
    std::istringstream in;
    std::ostringstream out, err;
    OptimizeIo io;
    explicit Cli(const std::string& input = "") : in(input) {
        io.in = &in;
        io.out = &out;
        io.err = &err;
        io.hooks.show_progress = false;
    }
};

OptimizeOptions options(const std::string& config, const std::string& run_dir) {
    OptimizeOptions o;
    o.config_path = config;
    o.run_dir = run_dir;
    o.yes = true;
    return o;
}

TEST(OptimizeCommand, FreshRunWritesTheRunDirectory) {
    std::string root = temp_dir("cmd-fresh");
    FakeWorld world;
    Cli cli;
    std::string dir = run_optimize_command(
        options(write_config(root, "ar-rewrite", 120), root + "/run"), world.wiring(), cli.io);
    EXPECT_EQ(dir, root + "/run");
    EXPECT_TRUE(fs::exists(dir + "/summary.json"));
    EXPECT_NE(cli.out.str().find("best c"), std::string::npos) << cli.out.str();
    EXPECT_NE(cli.err.str().find("projection"), std::string::npos);
    EXPECT_NE(read_text_file(dir + "/best_prompt.txt").find(testing::kLabelRule),
              std::string::npos);
}

TEST(OptimizeCommand, DryRunPrintsTheProjectionAndWritesNothing) {
    std::string root = temp_dir("cmd-dry");
    FakeWorld world;
    Cli cli;
    OptimizeOptions o = options(write_config(root, "dlm", 300), root + "/run");
    o.dry_run = true;
    EXPECT_EQ(run_optimize_command(o, world.wiring(), cli.io), "");
    EXPECT_FALSE(fs::exists(root + "/run"));
    EXPECT_NE(cli.out.str().find("target calls    300 for the search + 16 for the test split"),
              std::string::npos)
        << cli.out.str();
    EXPECT_NE(cli.out.str().find("DLM forwards"), std::string::npos);
}

TEST(OptimizeCommand, AsksBeforeStartingUnlessYes) {
    std::string root = temp_dir("cmd-ask");
    FakeWorld world;
    OptimizeOptions o = options(write_config(root, "random-edit", 40), root + "/run");
    o.yes = false;
    Cli no("n\n");
    EXPECT_THROW(run_optimize_command(o, world.wiring(), no.io), UsageError);
    EXPECT_FALSE(fs::exists(root + "/run"));
    Cli closed("");
    EXPECT_THROW(run_optimize_command(o, world.wiring(), closed.io), UsageError);
    Cli yes("y\n");
    EXPECT_EQ(run_optimize_command(o, world.wiring(), yes.io), root + "/run");
    EXPECT_NE(yes.err.str().find("start? [y/N]"), std::string::npos);
}

TEST(OptimizeCommand, BadInputLeavesNoRunDirectory) {
    std::string root = temp_dir("cmd-bad");
    FakeWorld world;
    Cli cli;
    auto expect_rejected = [&](const OptimizeOptions& o) {
        EXPECT_ANY_THROW(run_optimize_command(o, world.wiring(), cli.io));
        EXPECT_FALSE(fs::exists(root + "/run"));
    };
    expect_rejected(
        options(write_config(root, "random-edit", 40, "", "Broken <keep>marker"), root + "/run"));
    expect_rejected(options(write_config(root, "random-edit", 40, "stpes = 3\n"), root + "/run"));
    expect_rejected(options(write_config(root, "no-such-proposer", 40), root + "/run"));
    expect_rejected(
        options(write_config(root, "random-edit", 0), root + "/run"));  // no cap, no patience
    OptimizeOptions sweep = options(write_config(root, "random-edit", 40), root + "/run");
    sweep.sweep = "steps=8,-3";
    expect_rejected(sweep);
    OptimizeOptions feedback = options(write_config(root, "random-edit", 40), root + "/run");
    feedback.feedback_path = root + "/missing.jsonl";
    expect_rejected(feedback);
}

TEST(OptimizeCommand, RefusesToOverwriteARun) {
    std::string root = temp_dir("cmd-exists");
    FakeWorld world;
    Cli cli;
    std::string config = write_config(root, "random-edit", 40);
    run_optimize_command(options(config, root + "/run"), world.wiring(), cli.io);
    std::string before = read_text_file(root + "/run/events.jsonl");
    EXPECT_THROW(run_optimize_command(options(config, root + "/run"), world.wiring(), cli.io),
                 UsageError);
    EXPECT_EQ(read_text_file(root + "/run/events.jsonl"), before);
}

TEST(OptimizeCommand, ResumeUsesTheStoredConfigAndNeedsForceForAnother) {
    std::string root = temp_dir("cmd-resume");
    FakeWorld world;
    Cli cli;
    std::string config = write_config(root, "ar-rewrite", 60);
    run_optimize_command(options(config, root + "/run"), world.wiring(), cli.io);

    OptimizeOptions resume;
    resume.resume_dir = root + "/run";
    EXPECT_EQ(run_optimize_command(resume, world.wiring(), cli.io),
              root + "/run");  // stored config
    resume.config_path = config;
    EXPECT_EQ(run_optimize_command(resume, world.wiring(), cli.io), root + "/run");  // same config

    std::string bigger = write_config(temp_dir("cmd-resume-2"), "ar-rewrite", 200);
    resume.config_path = bigger;
    try {
        run_optimize_command(resume, world.wiring(), cli.io);
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(e.detail().find("--force"), std::string::npos);
        EXPECT_NE(e.detail().find("target_calls = 200"), std::string::npos) << e.detail();
    }
    resume.force = true;
    run_optimize_command(resume, world.wiring(), cli.io);
    EXPECT_NE(read_text_file(root + "/run/config.toml").find("target_calls = 200"),
              std::string::npos);
}

TEST(OptimizeCommand, SweepRunsEachValueWithTheSameBudget) {
    std::string root = temp_dir("cmd-sweep");
    FakeWorld world;
    Cli cli;
    OptimizeOptions o = options(write_config(root, "ar-rewrite", 50), root + "/run");
    o.sweep = "proposer=ar-rewrite,random-edit";
    run_optimize_command(o, world.wiring(), cli.io);
    for (const char* sub : {"proposer=ar-rewrite", "proposer=random-edit"}) {
        std::string dir = root + "/run/" + sub;
        ASSERT_TRUE(fs::exists(dir + "/summary.json")) << dir;
        nlohmann::json summary = nlohmann::json::parse(read_text_file(dir + "/summary.json"));
        EXPECT_EQ("proposer=" + summary["proposer"].get<std::string>(), sub);
        EXPECT_LE(summary["calls"]["target"].get<int64_t>(), 50 + 16);  // + the test split
    }
    nlohmann::json sweep = nlohmann::json::parse(read_text_file(root + "/run/sweep.json"));
    EXPECT_EQ(sweep["key"], "proposer");
    EXPECT_EQ(sweep["runs"].size(), 2u);

    OptimizeOptions resume;  // resuming a finished sweep resumes (and finishes) every sub-run
    resume.resume_dir = root + "/run";
    run_optimize_command(resume, world.wiring(), cli.io);
}

TEST(OptimizeCommand, MissingDlmFolderIsNamedAndNothingIsWritten) {
    std::string root = temp_dir("cmd-no-dlm");
    Cli cli;
    try {
        run_optimize_command(options(write_config(root, "dlm", 40), root + "/run"),
                             default_wiring(), cli.io);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("[dlm]"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(root + "/run"));
}

TEST(Sweep, ParsesKeysOfDlmAndOptimizer) {
    SweepSpec a = parse_sweep("steps=8,16,32");
    EXPECT_EQ(a.table, "dlm");
    EXPECT_EQ(a.values, (std::vector<std::string>{"8", "16", "32"}));
    EXPECT_EQ(parse_sweep("selection=best,pareto").table, "optimizer");
    EXPECT_EQ(parse_sweep("optimizer.candidates=2,4").key, "candidates");
    EXPECT_THROW(parse_sweep("steps"), UsageError);
    EXPECT_THROW(parse_sweep("steps=8"), UsageError);
    EXPECT_THROW(parse_sweep("bogus=1,2"), UsageError);
    EXPECT_THROW(parse_sweep("budget.usd=1,2"), UsageError);
}

TEST(Sweep, AppliesAValueWithValidation) {
    Settings base;
    EXPECT_EQ(apply_sweep_value(base, parse_sweep("steps=8,16"), "16").dlm.steps, 16);
    EXPECT_EQ(
        apply_sweep_value(base, parse_sweep("selection=best,pareto"), "pareto").optimizer.selection,
        "pareto");
    EXPECT_DOUBLE_EQ(
        apply_sweep_value(base, parse_sweep("temperature=0.2,0.9"), "0.9").dlm.temperature, 0.9);
    EXPECT_THROW(apply_sweep_value(base, parse_sweep("steps=8,16"), "many"), InputError);
    EXPECT_EQ(sweep_run_name(parse_sweep("sampler=a,b"), "x/y"), "sampler=x_y");
}

TEST(Projection, CapsBoundTheSearchAndTheTestIsCountedApart) {
    ProjectionInputs in;
    in.settings.budget.target_calls = 400;
    in.settings.optimizer.proposer = "dlm";
    in.train = 64;
    in.val = 100;
    in.test = 50;
    in.prompt_tokens = 200;
    in.forward_ms = 500;
    Projection p = project_run(in);
    EXPECT_EQ(p.target_calls_search, 400);
    EXPECT_EQ(p.target_calls_test, 100);
    // 8 + 4*8 + 0.25*4*100 = 140 calls per iteration after 100 for the initial scoring.
    EXPECT_EQ(p.iterations, 3);
    EXPECT_EQ(p.dlm_forwards, 3 * 32);
    EXPECT_DOUBLE_EQ(p.dlm_seconds, 3 * 32 * 0.5);
    EXPECT_NEAR(p.usd, 500 * (300 * 0.15 + 32 * 0.60) / 1e6, 1e-9);
    EXPECT_NE(p.text().find("~48 s of DLM time"), std::string::npos) << p.text();

    in.settings.budget.target_calls = 0;
    EXPECT_EQ(project_run(in).iterations, -1);
    EXPECT_NE(project_run(in).text().find("unbounded"), std::string::npos);
}

TEST(Projection, DualKvCacheMakesOneFullForwardPerRefresh) {
    ProjectionInputs in;
    in.settings.budget.target_calls = 400;
    in.settings.optimizer.proposer = "dlm";
    in.train = 64;
    in.val = 100;
    in.forward_ms = 500;
    in.partial_forward_ms = 100;
    in.kv_cache_bytes = int64_t{3} << 30;
    Projection p = project_run(in);  // [dlm] kv_cache = "dual", kv_refresh = 8, steps = 32
    EXPECT_EQ(p.dlm_forwards, 3 * 32);
    EXPECT_EQ(p.dlm_full_forwards, 3 * 4);
    EXPECT_DOUBLE_EQ(p.dlm_seconds, 3 * (4 * 0.5 + 28 * 0.1));
    EXPECT_NE(p.text().find("12 of them full"), std::string::npos) << p.text();
    EXPECT_NE(p.text().find("3.00 GiB"), std::string::npos) << p.text();
    in.settings.dlm.kv_cache = "none";
    EXPECT_DOUBLE_EQ(project_run(in).dlm_seconds, 3 * 32 * 0.5);
    EXPECT_EQ(project_run(in).dlm_full_forwards, 3 * 32);
}

TEST(RunDir, PatternExpandsItsFields) {
    Settings s;
    s.task.name = "sst5";
    s.run.seed = 3;
    std::string d = expand_run_dir("runs/{task}-{proposer}-{seed}-{time}", s);
    EXPECT_EQ(d.rfind("runs/sst5-dlm-3-", 0), 0u) << d;
    EXPECT_EQ(d.size(), std::string("runs/sst5-dlm-3-20260101-000000").size());
}

}  // namespace
}  // namespace remask::optimize
