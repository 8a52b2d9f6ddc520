#pragma once
// The oracle agent and its user, as LanguageModels, so the oracle runs through the same
// episode loop as a real model. The agent calls the task's ground-truth actions in order
// (transfer_to_human_agents last), then says every required output in one message; the
// user opens with the task's instruction and ends the conversation at the first reply.

#include "llm/language_model.h"
#include "tasks/tau/domain.h"

namespace remask::tau {

class OracleAgent : public LanguageModel {
public:
    explicit OracleAgent(const TauTask& task);
    ChatResponse chat(const ChatRequest& request) override;
    std::string describe() const override { return "oracle"; }

private:
    std::vector<ChatMessage> script_;
    size_t next_ = 0;
};

class OracleUser : public LanguageModel {
public:
    explicit OracleUser(const TauTask& task) : instruction_(task.instruction) {}
    ChatResponse chat(const ChatRequest& request) override;
    std::string describe() const override { return "oracle-user"; }

private:
    std::string instruction_;
};

}  // namespace remask::tau
