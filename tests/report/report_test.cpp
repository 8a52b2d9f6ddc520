// report.html from real run directories (made by the optimizer with fakes): the chart, the
// lineage, the diffs, wins and losses and the cost are there, self-contained.

#include "report/report.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/error.h"
#include "optimize/optimizer.h"

namespace fs = std::filesystem;

namespace remask::report {
namespace {

using namespace remask::optimize;

const std::string kRule = "Reply with <positive> or <negative> only.";

// Right on every example once the prompt holds kRule, on every third one before.
class RuleEvaluator : public PromptEvaluator {
  public:
    std::vector<Trace> evaluate(const std::string& prompt,
                                const std::vector<std::string>& ids) override {
        std::vector<Trace> out;
        for (const std::string& id : ids) {
            bool right =
                prompt.find(kRule) != std::string::npos || std::stoi(id.substr(1)) % 3 == 0;
            out.push_back({id, "text " + id, "positive", right ? "positive" : "hmm",
                           right ? 1.0 : 0.0, right ? "" : "expected `positive`"});
            spent_.target_calls += 1;
        }
        return out;
    }
    std::vector<std::string> split(const std::string& name) override {
        std::vector<std::string> ids;
        for (int i = 0; i < (name == "test" ? 0 : 9); ++i)
            ids.push_back(name.substr(0, 1) + std::to_string(i));
        return ids;
    }
    Spend spent() const override { return spent_; }
    Spend spent_;
};

class RuleRewriter : public LanguageModel {
  public:
    ChatResponse chat(const ChatRequest& r) override {
        const std::string& user = r.messages.back().content;
        size_t open = user.find("<prompt>\n") + 9, close = user.rfind("\n</prompt>");
        ChatResponse out;
        out.message.content =
            "<prompt>\n" + user.substr(open, close - open) + " " + kRule + "\n</prompt>";
        return out;
    }
    std::string describe() const override { return "rule-rewriter"; }
};

std::string make_run(const std::string& dir, const std::string& proposer, int64_t cap) {
    Settings s;
    s.optimizer.proposer = proposer;
    s.optimizer.candidates = 2;
    s.optimizer.minibatch = 3;
    s.budget.target_calls = cap;
    RunDirectory run = RunDirectory::create(dir, settings_to_toml(s));
    RuleEvaluator evaluator;
    RuleRewriter rewriter;
    auto p = make_proposer(s, {nullptr, nullptr, &rewriter, whitespace_splitter()});
    OptimizerParts parts{&evaluator, p.get(), whitespace_splitter(), nullptr, {}};
    OptimizerHooks hooks;
    hooks.show_progress = false;
    run_optimizer(s, run, "Classify <b>sentiment</b>. <keep>Be fair.</keep>", parts, hooks);
    return dir;
}

std::string fresh_dir(const std::string& name) {
    fs::path d =
        fs::temp_directory_path() / ("remask-report-test-" + std::to_string(::getpid())) / name;
    fs::remove_all(d);
    fs::create_directories(d.parent_path());
    return d.string();
}

std::string section(const std::string& html, const std::string& id) {
    size_t at = html.find("id=\"" + id + "\"");
    if (at == std::string::npos) return "";
    size_t end = html.find("</section>", at);
    return html.substr(at, end - at);
}

TEST(Report, SingleRunHasChartLineageDiffsExamplesAndCost) {
    std::string dir = make_run(fresh_dir("single"), "ar-rewrite", 60);
    std::string path = write_report(dir);
    EXPECT_EQ(path, dir + "/report.html");
    std::string html = read_text_file(path);

    std::string chart = section(html, "chart");
    EXPECT_NE(chart.find("<svg"), std::string::npos);
    EXPECT_NE(chart.find("<polyline"), std::string::npos);
    EXPECT_NE(chart.find("target calls"), std::string::npos);

    std::string lineage = section(html, "lineage");
    EXPECT_NE(lineage.find("id=\"node-c0\""), std::string::npos);
    EXPECT_NE(lineage.find("id=\"node-c1_0\""),
              std::string::npos);  // the child that found the rule
    EXPECT_NE(lineage.find("<strong>best</strong>"), std::string::npos);

    std::string diffs = section(html, "diffs");
    EXPECT_NE(diffs.find("id=\"diff-c1_0\""), std::string::npos);
    // The inserted rule is highlighted, escaped (it contains angle brackets).
    EXPECT_NE(diffs.find("<ins> Reply with &lt;positive&gt; or &lt;negative&gt; only.</ins>"),
              std::string::npos)
        << diffs;
    EXPECT_NE(diffs.find("Classify &lt;b&gt;sentiment&lt;/b&gt;."), std::string::npos);

    std::string examples = section(html, "examples");
    EXPECT_NE(examples.find("6 wins"), std::string::npos)
        << examples;  // 9 val examples, 3 right before
    EXPECT_NE(examples.find("0 losses"), std::string::npos);

    std::string cost = section(html, "cost");
    EXPECT_TRUE(std::regex_search(cost, std::regex("target calls</th><td>[1-9][0-9]*</td>")))
        << cost;

    // Self-contained: nothing to fetch, nothing to run.
    for (const char* banned : {"<script", "<link", " src=", "@import", "url("})
        EXPECT_EQ(html.find(banned), std::string::npos) << banned;
}

TEST(Report, RunWithoutImprovementSaysSo) {
    std::string dir = make_run(fresh_dir("flat"), "random-edit", 40);
    std::string html = render_report(dir);
    EXPECT_NE(section(html, "diffs").find("the initial prompt stands"), std::string::npos);
    EXPECT_NE(section(html, "examples").find("0 wins"), std::string::npos);
}

TEST(Report, SweepComparesItsRunsInOneChart) {
    std::string top = fresh_dir("sweep");
    fs::create_directories(top);
    make_run(top + "/proposer=ar-rewrite", "ar-rewrite", 60);
    make_run(top + "/proposer=random-edit", "random-edit", 60);
    std::ofstream(top + "/config.toml") << settings_to_toml(Settings{});
    std::ofstream(top + "/sweep.json")
        << R"({"table": "optimizer", "key": "proposer", "values": ["ar-rewrite", "random-edit"],
        "runs": ["proposer=ar-rewrite", "proposer=random-edit"]})";
    write_report(top);
    std::string html = read_text_file(top + "/report.html");
    std::string chart = section(html, "chart");
    EXPECT_NE(chart.find("id=\"series-proposer_ar-rewrite\""), std::string::npos);
    EXPECT_NE(chart.find("id=\"series-proposer_random-edit\""), std::string::npos);
    std::string comparison = section(html, "comparison");
    EXPECT_NE(comparison.find("proposer=ar-rewrite"), std::string::npos);
    EXPECT_NE(html.find("id=\"lineage-proposer_random-edit\""), std::string::npos);
    EXPECT_TRUE(fs::exists(top + "/proposer=ar-rewrite/report.html"));
}

TEST(Report, UnfinishedRunRendersWhatItHas) {
    std::string dir = make_run(fresh_dir("unfinished"), "ar-rewrite", 60);
    fs::remove(dir + "/summary.json");
    std::string html = render_report(dir);
    EXPECT_NE(html.find("has not finished"), std::string::npos);
    EXPECT_NE(section(html, "lineage").find("node-c0"), std::string::npos);
}

TEST(Report, NotARunDirectoryIsAUsageError) {
    std::string dir = fresh_dir("empty");
    fs::create_directories(dir);
    EXPECT_THROW(write_report(dir), UsageError);
    EXPECT_FALSE(fs::exists(dir + "/report.html"));
}

TEST(ReportCommand, RebuildsTheReportFromTheCommandLine) {
    const char* bin = std::getenv("REMASK_BIN");
    if (!bin) GTEST_SKIP() << "REMASK_BIN is set by ctest";
    std::string dir = make_run(fresh_dir("cli"), "ar-rewrite", 60);
    std::string out = dir + "/stdout.txt";
    ASSERT_EQ(std::system((std::string(bin) + " report '" + dir + "' > '" + out + "'").c_str()), 0);
    EXPECT_EQ(read_text_file(out), dir + "/report.html\n");
    EXPECT_NE(read_text_file(dir + "/report.html").find("id=\"lineage\""), std::string::npos);
    EXPECT_NE(
        std::system((std::string(bin) + " report '" + dir + "/nope' 2> '" + out + "'").c_str()), 0);
    EXPECT_EQ(read_text_file(out).rfind("remask: error: ", 0), 0u);
}

}  // namespace
}  // namespace remask::report
