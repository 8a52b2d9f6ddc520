// τ-bench prompts in the optimizer: the locked policy, the agent's prompt, episodes as
// compact traces, and the projection's τ lines.

#include "optimize/tau_prompt.h"

#include <gtest/gtest.h>

#include "optimize/budget.h"
#include "optimize/projection.h"
#include "optimize/prompt_text.h"

namespace remask::optimize {
namespace {

const tau::TauDomain& retail() { return tau::load_tau_domain("tau-retail"); }

TEST(TauPrompt, EmptyInstructionsGiveUpstreamsPromptExactly) {
    const std::string stored = tau_initial_prompt(retail(), "", false);
    EXPECT_EQ(keep_blocks(stored).size(), 1u) << "the policy and the heading are locked";
    EXPECT_EQ(tau_agent_prompt(retail(), render_for_target(stored), false), retail().wiki);
    EXPECT_EQ(tokenize_prompt(stored, whitespace_splitter()).free_count(), 0u);
}

TEST(TauPrompt, InstructionsFollowTheLockedPolicy) {
    const std::string stored =
        tau_initial_prompt(retail(), "Check the order status first.\n", false);
    const std::string agent = tau_agent_prompt(retail(), render_for_target(stored), false);
    EXPECT_EQ(agent, tau::tau_system_prompt(retail(), "Check the order status first."));
    // A child that edits only the instructions keeps the policy; one that edits the policy does
    // not.
    std::string child = stored;
    child.replace(child.find("Check the order status first."), 29, "Always confirm before acting.");
    EXPECT_TRUE(keeps_preserved(stored, child));
    std::string broken = stored;
    broken.replace(broken.find("retail"), 6, "RETAIL");
    EXPECT_FALSE(keeps_preserved(stored, broken));
}

TEST(TauPrompt, WholePromptIsEveryThingRewritable) {
    const std::string stored = tau_initial_prompt(retail(), "Be brief.", true);
    EXPECT_TRUE(keep_blocks(stored).empty());
    EXPECT_EQ(stored, tau::tau_system_prompt(retail(), "Be brief."));
    EXPECT_EQ(tau_agent_prompt(retail(), "anything at all", true), "anything at all");
}

tau::EpisodeResult episode(double reward, const std::string& feedback) {
    tau::EpisodeResult e;
    e.task_id = "retail/dev/3";
    e.reward = reward;
    e.feedback = feedback;
    e.end_reason = "user_stop";
    e.actions = {{"find_user_id_by_email", tau::Json{{"email", "a@b.c"}}},
                 {"respond", tau::Json{{"content", "first"}}},
                 {"cancel_pending_order", tau::Json{{"order_id", "#W1"}}},
                 {"respond", tau::Json{{"content", "Your order is cancelled."}}}};
    e.messages = tau::Json::array({tau::Json{{"role", "system"}, {"content", "THE WHOLE POLICY"}}});
    return e;
}

TEST(TauTrace, OneCompactBlockFromTheWorstTrial) {
    tau::TauTask task;
    task.id = "retail/dev/3";
    task.instruction = "You want to cancel order #W1.";
    Trace t =
        tau_trace(task, {episode(1.0, ""), episode(0.0, "missed action: cancel_pending_order({})"),
                         episode(1.0, "")});
    EXPECT_EQ(t.example_id, "retail/dev/3");
    EXPECT_NEAR(t.score, 2.0 / 3.0, 1e-12);
    EXPECT_EQ(t.trial_scores, (std::vector<double>{1.0, 0.0, 1.0}));
    EXPECT_NE(t.input.find("You want to cancel order #W1."), std::string::npos);
    EXPECT_NE(t.reply.find("find_user_id_by_email({\"email\":\"a@b.c\"}); cancel_pending_order("),
              std::string::npos)
        << t.reply;
    EXPECT_NE(t.reply.find("Last message: Your order is cancelled."), std::string::npos) << t.reply;
    EXPECT_NE(t.feedback.find("missed action"), std::string::npos) << "the worst trial's feedback";
    EXPECT_NE(t.feedback.find("Rewards over 3 trials: 1 0 1"), std::string::npos) << t.feedback;
    EXPECT_EQ(t.reply.find("THE WHOLE POLICY"), std::string::npos) << "never the conversation";
    Trace single = tau_trace(task, {episode(1.0, "")});
    EXPECT_TRUE(single.trial_scores.empty());
    EXPECT_EQ(single.feedback, "");
}

TEST(TauProjection, GivesUserCallsAndLabelsTheEpisodeEstimate) {
    ProjectionInputs in;
    in.settings.task.name = "tau-retail";
    in.settings.budget.target_calls = 0;
    in.settings.optimizer.patience = 2;
    in.train = 20;
    in.val = 5;
    in.test = 10;
    in.target_calls_per_example = 9;
    in.user_calls_per_example = 4;
    in.notes = {"episode length is an estimate"};
    Projection p = project_run(in);
    EXPECT_GT(p.user_calls_search, 0);
    EXPECT_EQ(p.user_calls_test, 2 * 10 * 4);
    EXPECT_EQ(p.target_calls_test, 2 * 10 * 9);
    const std::string text = p.text();
    EXPECT_NE(text.find("user calls"), std::string::npos) << text;
    EXPECT_NE(text.find("estimate"), std::string::npos) << text;
    in.settings.budget.user_calls = 50;
    EXPECT_LE(project_run(in).user_calls_search, 50);
}

TEST(TauBudget, UserCallCapIsItsOwn) {
    BudgetSettings caps;
    caps.target_calls = 0;
    caps.user_calls = 10;
    Budget budget(caps);
    Spend spent;
    spent.user_calls = 8;
    EXPECT_TRUE(budget.allows_user_calls(spent, 2));
    EXPECT_FALSE(budget.allows_user_calls(spent, 3));
    EXPECT_EQ(budget.exhausted(spent, 0), "");
    spent.user_calls = 10;
    EXPECT_EQ(budget.exhausted(spent, 0), "user_calls");
}

}  // namespace
}  // namespace remask::optimize
