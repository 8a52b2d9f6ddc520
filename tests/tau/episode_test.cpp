// Episodes with scripted fakes for the agent and the simulated user: a full conversation
// with malformed tool calls (unknown tool, arguments that are not JSON, two calls at once),
// the step limit, the transfer tool, and the runner's transcript file and resume.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <unistd.h>

#include "core/error.h"
#include "retail_fixture.h"
#include "tasks/tau/episode_log.h"
#include "tasks/tau/runner.h"
#include "tasks/tau/summary.h"

namespace remask::tau {
namespace {

const std::string kEpisodeDataDir = std::string(REMASK_SOURCE_DIR) + "/data/tau-bench";

const TauDomain& fixture_domain() {
    static const TauDomain value = tau_domain_with_data("tau-retail", Json::parse(fixtures::kRetailFixture), kEpisodeDataDir);
    return value;
}

// Answers with the scripted messages in order and keeps every request it got.
class ScriptedModel : public LanguageModel {
public:
    explicit ScriptedModel(std::vector<ChatMessage> replies) : replies_(replies.begin(), replies.end()) {}
    ChatResponse chat(const ChatRequest& request) override {
        requests.push_back(request);
        if (replies_.empty()) throw ExternalError("scripted model", "script exhausted");
        ChatResponse response;
        response.message = replies_.front();
        response.usage = {100, 10};
        replies_.pop_front();
        return response;
    }
    std::string describe() const override { return "scripted"; }
    std::vector<ChatRequest> requests;

private:
    std::deque<ChatMessage> replies_;
};

ChatMessage say(const std::string& text) { return ChatMessage{"assistant", text, {}, "", ""}; }
ChatMessage call(const std::string& name, const std::string& arguments, const std::string& id = "") {
    ChatMessage message{"assistant", "", {}, "", ""};
    message.tool_calls.push_back(ToolCall{id, name, arguments});
    return message;
}

TauTask cancel_task() {
    TauTask task;
    task.index = 7;
    task.id = "retail/test/7";
    task.user_id = "ann_1";
    task.instruction = "You are Ann Lee (ann.lee@example.com). Cancel order #W1: you no longer need it.";
    task.actions = {{"find_user_id_by_email", {{"email", "ann.lee@example.com"}}},
                    {"cancel_pending_order", {{"order_id", "#W1"}, {"reason", "no longer needed"}}}};
    task.outputs = {"120.5"};
    return task;
}

TEST(TauEpisode, ScriptedConversationWithMalformedCalls) {
    const TauDomain& domain = fixture_domain();
    TauEnvironment env(domain), scratch(domain);
    ChatMessage two_calls = call("get_order_details", R"({"order_id": "#W1"})", "c4");
    two_calls.tool_calls.push_back(ToolCall{"c5", "cancel_pending_order", R"({"order_id": "#W1", "reason": "no longer needed"})"});
    ScriptedModel agent({call("delete_everything", "{}", "c1"), call("find_user_id_by_email", R"({"email": )", "c2"),
                         call("find_user_id_by_email", R"({"email": "ann.lee@example.com"})"), two_calls,
                         say("Order #W1 can be cancelled; 120.5 goes back to your gift card. Shall I?"),
                         call("cancel_pending_order", R"({"order_id": "#W1", "reason": "no longer needed"})", "c6"),
                         say("Done: $120.50 refunded... that is 120.5 in total.")});
    ScriptedModel user({say("Hi, I'd like to cancel order #W1."), say("Yes, please."), say("Thanks! ###STOP###")});
    EpisodeOptions options;
    options.trial = 2;
    options.temperature = 0.0;
    const std::string prompt = tau_system_prompt(domain, "Always confirm before acting.");
    EpisodeResult result = run_episode(cancel_task(), prompt, agent, user, options, env, scratch);

    EXPECT_EQ(result.end_reason, "user_stop");
    EXPECT_EQ(result.reward, 1.0) << result.feedback;
    EXPECT_TRUE(result.database_ok);
    EXPECT_EQ(result.task_index, 7);
    EXPECT_EQ(result.trial, 2);
    EXPECT_EQ(result.agent.calls, 7);
    EXPECT_EQ(result.user.calls, 3);
    EXPECT_EQ(result.agent.billed.prompt_tokens, 700);

    // The agent's view: system, user, then tool results and user turns.
    const Json& messages = result.messages;
    ASSERT_EQ(messages.size(), 2u + 2 * 4 + 2 + 2 + 2);
    EXPECT_EQ(messages[0]["content"], prompt);
    EXPECT_NE(prompt.find("## Instructions\n\nAlways confirm before acting."), std::string::npos);
    EXPECT_EQ(messages[1]["content"], "Hi, I'd like to cancel order #W1.");
    EXPECT_EQ(messages[3]["role"], "tool");
    EXPECT_EQ(messages[3]["content"], "Unknown action delete_everything");
    EXPECT_EQ(messages[3]["tool_call_id"], "c1");
    EXPECT_EQ(messages[5]["content"].get<std::string>().rfind("Error: tool call arguments are not valid JSON", 0), 0u);
    EXPECT_EQ(messages[7]["content"], "ann_1");
    EXPECT_EQ(messages[6]["tool_calls"][0]["id"], "call_2");  // a missing id gets one
    EXPECT_EQ(messages[8]["tool_calls"].size(), 1u);         // the second call was dropped
    EXPECT_EQ(Json::parse(messages[9]["content"].get<std::string>())["status"], "pending");
    EXPECT_EQ(messages[11]["content"], "Yes, please.");
    EXPECT_EQ(Json::parse(messages[13]["content"].get<std::string>())["status"], "cancelled");
    EXPECT_EQ(messages.back()["content"], "Thanks! ###STOP###");

    // What the models were sent.
    ASSERT_EQ(agent.requests.size(), 7u);
    EXPECT_EQ(agent.requests[0].tools.size(), 16u);
    EXPECT_EQ(agent.requests[0].tools[0]["function"]["name"], "calculate");
    EXPECT_EQ(agent.requests[0].sample_index, 2);
    EXPECT_EQ(agent.requests[0].temperature, 0.0);
    ASSERT_EQ(user.requests.size(), 3u);
    EXPECT_EQ(user.requests[0].messages[0].role, "system");
    EXPECT_NE(user.requests[0].messages[0].content.find("Instruction: " + cancel_task().instruction), std::string::npos);
    EXPECT_NE(user.requests[0].messages[0].content.find("'###STOP###'"), std::string::npos);
    EXPECT_EQ(user.requests[0].messages[1].content, "Hi! How can I help you today?");
    EXPECT_EQ(user.requests[1].messages.back().role, "user");
    EXPECT_EQ(user.requests[1].messages.back().content, "Order #W1 can be cancelled; 120.5 goes back to your gift card. Shall I?");
    EXPECT_EQ(user.requests[1].messages[2].role, "assistant");

    // Actions as recorded: the bad-JSON call keeps its raw text.
    ASSERT_EQ(result.actions.size(), 7u);
    EXPECT_EQ(result.actions[1].kwargs, Json(R"({"email": )"));
    EXPECT_EQ(result.actions[4].name, "respond");
}

TEST(TauEpisode, PromptsAsUpstream) {
    const TauDomain& domain = fixture_domain();
    EXPECT_EQ(tau_system_prompt(domain, ""), domain.wiki);  // upstream's agent prompt
    EXPECT_EQ(tau_system_prompt(domain, "Be brief.", true), "Be brief.");
    std::string prompt = tau_system_prompt(domain, "Be brief.");
    EXPECT_EQ(prompt.rfind(domain.wiki.substr(0, 200), 0), 0u);
    EXPECT_EQ(prompt.substr(prompt.size() - 28), "\n\n## Instructions\n\nBe brief.");
    std::string user = user_simulator_prompt("Get a refund.");
    EXPECT_EQ(user.rfind("You are a user interacting with an agent.\n\nInstruction: Get a refund.\n\nRules:\n"
                         "- Just generate one line at a time to simulate the user's message.\n", 0), 0u) << user;
    EXPECT_TRUE(user.ends_with("\n- Try to make the conversation as natural as possible, and stick to the personalities "
                               "in the instruction.")) << user;
}

TEST(TauEpisode, StepLimitGivesZero) {
    const TauDomain& domain = fixture_domain();
    TauEnvironment env(domain), scratch(domain);
    std::vector<ChatMessage> thinking(5, call("think", R"({"thought": "hmm"})"));
    ScriptedModel agent(thinking);
    ScriptedModel user({say("Cancel #W1 please.")});
    EpisodeOptions options;
    options.max_steps = 5;
    EpisodeResult result = run_episode(cancel_task(), domain.wiki, agent, user, options, env, scratch);
    EXPECT_EQ(result.end_reason, "max_steps");
    EXPECT_EQ(result.reward, 0.0);
    EXPECT_NE(result.feedback.find("missed action: cancel_pending_order"), std::string::npos) << result.feedback;
    EXPECT_NE(result.feedback.find("step limit"), std::string::npos) << result.feedback;
    EXPECT_NE(result.feedback.find("output not said: \"120.5\""), std::string::npos) << result.feedback;
}

TEST(TauEpisode, TransferEndsTheEpisode) {
    const TauDomain& domain = fixture_domain();
    TauEnvironment env(domain), scratch(domain);
    ScriptedModel agent({call("transfer_to_human_agents", R"({"summary": "wants a cancel"})")});
    ScriptedModel user({say("Cancel #W1 please.")});
    EpisodeResult result = run_episode(cancel_task(), domain.wiki, agent, user, EpisodeOptions{}, env, scratch);
    EXPECT_EQ(result.end_reason, "transfer");
    EXPECT_EQ(result.reward, 0.0);
    EXPECT_EQ(result.messages.back()["content"], "Transfer successful");
}

TEST(TauEpisode, ModelErrorsPropagate) {
    const TauDomain& domain = fixture_domain();
    TauEnvironment env(domain), scratch(domain);
    ScriptedModel agent({});
    ScriptedModel user({say("hello")});
    EXPECT_THROW(run_episode(cancel_task(), domain.wiki, agent, user, EpisodeOptions{}, env, scratch), ExternalError);
}

// Stateless fakes, safe to share between workers: the agent says the output at once, the
// user stops at its second turn; the agent fails on task 1, trial 1 when told to.
class EchoAgent : public LanguageModel {
public:
    ChatResponse chat(const ChatRequest& request) override {
        ++calls;
        if (fail_task_one && request.sample_index == 1 && request.messages[1].content == "task 1") {
            throw ExternalError("fake", "HTTP 500");
        }
        ChatResponse response;
        response.message = say("Refund of 120.5 noted.");
        return response;
    }
    std::string describe() const override { return "echo"; }
    std::atomic<int> calls{0};
    bool fail_task_one = false;
};

class OpeningUser : public LanguageModel {
public:
    ChatResponse chat(const ChatRequest& request) override {
        ChatResponse response;
        // Opening turn: repeat the instruction ("task N"), found in the system prompt.
        const std::string& system = request.messages[0].content;
        size_t at = system.find("Instruction: ") + std::string("Instruction: ").size();
        response.message = say(request.messages.size() <= 2 ? system.substr(at, system.find('\n', at) - at) : "###STOP###");
        return response;
    }
    std::string describe() const override { return "opening"; }
};

TEST(TauRunner, TranscriptsAndResume) {
    const TauDomain& domain = fixture_domain();
    const std::string path = std::string(REMASK_BINARY_DIR) + "/tau_runner_test_" + std::to_string(::getpid()) + ".jsonl";
    std::remove(path.c_str());
    TauRunOptions options;
    for (int i = 0; i < 3; ++i) {
        TauTask task;
        task.index = i;
        task.id = "retail/test/" + std::to_string(i);
        task.instruction = "task " + std::to_string(i);
        task.outputs = {"120.5"};
        options.tasks.push_back(task);
    }
    options.trials = 2;
    options.concurrency = 2;
    options.system_prompt = domain.wiki;
    options.transcripts_path = path;
    EchoAgent agent;
    agent.fail_task_one = true;
    OpeningUser user;

    TauRunResult first = run_tau_episodes(domain, options, &agent, &user);
    EXPECT_EQ(first.episodes.size(), 5u);
    ASSERT_EQ(first.failures.size(), 1u);
    EXPECT_EQ(first.failures[0].task_index, 1);
    EXPECT_EQ(first.failures[0].trial, 1);
    // Task 1 passed once in two trials; the others twice.
    ASSERT_EQ(first.pass_hat_k.size(), 2u);
    EXPECT_DOUBLE_EQ(first.pass_hat_k[0], (1.0 + 0.5 + 1.0) / 3.0);
    EXPECT_DOUBLE_EQ(first.pass_hat_k[1], 2.0 / 3.0);
    EXPECT_EQ(agent.calls.load(), 6);

    auto finished = load_finished_episodes(path, domain.name, first.episodes[0].prompt_hash);
    EXPECT_EQ(finished.size(), 5u);
    EXPECT_EQ(finished.count({"retail/test/1", 1}), 0u);
    EXPECT_EQ(finished.count({"retail/test/1", 0}), 1u);
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    Json record = Json::parse(line);
    EXPECT_EQ(record["id"].get<std::string>().rfind("retail/test/", 0), 0u) << record["id"];
    for (const char* key : {"id", "input", "expected", "reply", "parsed", "score", "feedback", "tokens_in", "tokens_out", "cached"}) {
        EXPECT_TRUE(record.contains(key)) << key;
    }

    // A crash mid-write leaves a torn last line: ignored, that episode runs again.
    {
        std::ofstream torn(path, std::ios::app);
        torn << R"({"domain": "tau-retail", "task_index": 1, "tri)";
    }
    agent.fail_task_one = false;
    agent.calls = 0;
    TauRunResult second = run_tau_episodes(domain, options, &agent, &user);
    EXPECT_EQ(second.resumed, 5);
    EXPECT_EQ(agent.calls.load(), 1);  // only the failed episode ran again
    EXPECT_TRUE(second.failures.empty());
    EXPECT_EQ(second.episodes.size(), 6u);
    EXPECT_DOUBLE_EQ(second.pass_hat_k[0], 1.0);

    // Another prompt is another run: nothing is resumed for it.
    options.system_prompt = "You are a shop assistant.";
    options.transcripts_path.clear();
    agent.calls = 0;
    TauRunResult other = run_tau_episodes(domain, options, &agent, &user);
    EXPECT_EQ(other.resumed, 0);
    EXPECT_EQ(agent.calls.load(), 6);

    Json summary = tau_summary_json("tau-retail", "test", 2, second, RunCost{{1.0, 2.0}, {0.5, 0.5}});
    EXPECT_EQ(summary["n"], 3);
    EXPECT_EQ(summary["pass_hat_k"]["1"], 1.0);
    EXPECT_EQ(summary["resumed"], 5);
    std::string text = tau_summary_text("tau-retail", "test", 2, second, RunCost{});
    EXPECT_NE(text.find("pass^2 1.0000"), std::string::npos) << text;
    std::remove(path.c_str());
}

TEST(TauRunner, BadTranscriptLineIsAnInputError) {
    const std::string path = std::string(REMASK_BINARY_DIR) + "/tau_runner_bad_" + std::to_string(::getpid()) + ".jsonl";
    {
        std::ofstream out(path);
        out << "not json\n{}\n";
    }
    try {
        load_finished_episodes(path, "tau-retail", "");
        ADD_FAILURE() << "no error";
    } catch (const InputError& error) {
        EXPECT_NE(std::string(error.what()).find(path + ":1"), std::string::npos) << error.what();
    }
    std::remove(path.c_str());
}

}  // namespace
}  // namespace remask::tau
