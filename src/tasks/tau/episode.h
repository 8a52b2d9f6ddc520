#pragma once
// One τ-bench episode: the agent (a LanguageModel with OpenAI-style tools) and a simulated
// user (another LanguageModel) take turns, the agent's tool calls acting on its own
// database, as upstream's ToolCallingAgent.solve with the "llm" user strategy.
//
//   TauEnvironment env(domain), scratch(domain);
//   EpisodeResult r = run_episode(task, tau_system_prompt(domain, ""), agent, user,
//                                 EpisodeOptions{}, env, scratch);
//   r.reward, r.feedback, r.messages
//
// Turn order: the user speaks first (answering "Hi! How can I help you today?"); each
// agent step is one model call; a message with tool calls runs only the first call (the
// rest are dropped, as upstream) and the agent goes on; a message without tool calls goes
// to the user, whose reply comes back. The episode ends when the user's reply contains
// "###STOP###", after transfer_to_human_agents, or after max_steps agent steps (reward 0,
// as upstream). Malformed calls (unknown tool, arguments that are not JSON) are answered
// with an error text and the episode continues (upstream would crash the episode).

#include <string>
#include <vector>

#include "llm/language_model.h"
#include "tasks/tau/reward.h"

namespace remask::tau {

struct EpisodeOptions {
    int max_steps = 30;                 // upstream max_num_steps
    std::optional<double> temperature;  // agent sampling; unset = the model's default
    std::optional<int64_t> max_tokens;
    int trial = 0;  // sent as ChatRequest::sample_index, so each trial is its own sample
};

struct ModelUse {
    int calls = 0;   // answered requests that were not cache hits
    int cached = 0;  // cache hits
    Usage usage;     // tokens of every answer (cache hits included)
    Usage billed;    // tokens of the calls actually made (cache hits are free)
};

struct EpisodeResult {
    std::string domain;  // "tau-retail" | "tau-airline"
    int task_index = 0;
    std::string task_id;  // TauTask::id ("retail/dev/7")
    int trial = 0;
    double reward = 0;
    bool database_ok = false;
    std::vector<std::pair<std::string, bool>> outputs;
    std::string end_reason;  // "user_stop" | "transfer" | "max_steps"
    std::vector<TauAction> actions;  // every agent action: tool calls, and "respond" {"content": ...}
    Json messages;                   // the agent's conversation, OpenAI chat format
    std::string feedback;
    ModelUse agent;
    ModelUse user;
    std::string prompt_hash;  // sha256 of the agent's system prompt, first 16 hex digits
};

// The upstream user simulator's system prompt for an instruction.
std::string user_simulator_prompt(const std::string& instruction);

// The agent's system prompt as an optimization task: the policy (wiki.md), then an
// "## Instructions" section holding `instructions` (left out when empty). With
// whole_prompt, `instructions` is the entire system prompt.
std::string tau_system_prompt(const TauDomain& domain, const std::string& instructions, bool whole_prompt = false);

// Runs one episode on env (reset first); scratch is used for the ground-truth replay.
// Errors from the models (ExternalError, BudgetExhausted, ...) propagate: the episode
// did not finish and must not be recorded.
EpisodeResult run_episode(const TauTask& task, const std::string& system_prompt, LanguageModel& agent,
                          LanguageModel& user, const EpisodeOptions& options, TauEnvironment& env,
                          TauEnvironment& scratch);

// The oracle: replays the task's ground-truth actions as tool calls and then says its
// required outputs; its user ends the conversation at the first reply. No LLM.
EpisodeResult run_oracle_episode(const TauTask& task, const std::string& system_prompt,
                                 const EpisodeOptions& options, TauEnvironment& env, TauEnvironment& scratch);

Json episode_to_json(const EpisodeResult& episode);
EpisodeResult episode_from_json(const Json& record);  // throws Json::exception on bad input

}  // namespace remask::tau
