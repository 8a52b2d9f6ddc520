#pragma once
// A scripted OpenAI-compatible server for τ-bench optimization tests (cpp-httplib on
// 127.0.0.1, a free port). It tells its roles apart by the request:
//   agent     a chat request with `tools`: when its system prompt holds kMagic it makes
//             the task's ground-truth tool calls in order, then says the required
//             outputs (the oracle's script); otherwise it answers without acting
//   user      a chat request whose system prompt is the user simulator's: it states the
//             task instruction, then stops ("###STOP###")
//   rewriter  any other chat request (ar-rewrite): it returns the prompt between
//             <prompt> and </prompt> with kMagic appended when the traces it was given
//             contain "missed action", else with a harmless sentence
//   infill    POST /v1/infill (dlm): the first masked span gets kMagic when the context
//             contains "missed action", else a harmless sentence
// Calls are counted per role (answered requests only).

#include <memory>
#include <string>
#include <vector>

namespace remask::testing {

class ScriptedTauServer {
  public:
    static constexpr const char* kMagic =
        "Always complete the customer's requested actions with the tools.";

    explicit ScriptedTauServer(const std::string& domain = "tau-retail");
    ~ScriptedTauServer();

    std::string base_url() const;              // http://127.0.0.1:PORT/v1
    std::string root_url() const;              // http://127.0.0.1:PORT
    int calls(const std::string& role) const;  // "agent" | "user" | "rewriter" | "infill"
    std::vector<std::string> contexts(
        const std::string& role) const;  // infill contexts, rewriter user texts
    // User requests after the first `n` answered ones get HTTP 500; -1 = never.
    void fail_user_after(int n);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace remask::testing
