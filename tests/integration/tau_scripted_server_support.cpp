#include <httplib.h>

#include <csignal>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "tasks/tau/oracle.h"
#include "tau_scripted_server.h"

namespace remask::testing {

using nlohmann::json;

struct ScriptedTauServer::Impl {
    httplib::Server server;
    std::thread thread;
    int port = 0;
    mutable std::mutex mutex;
    std::map<std::string, int> calls;
    std::map<std::string, std::vector<std::string>> contexts;
    int fail_user_after = -1;
    std::map<std::string, tau::TauTask> tasks;  // by instruction
};

namespace {

json chat_reply(const json& message) {
    return {{"id", "chatcmpl-scripted"},
            {"object", "chat.completion"},
            {"model", "fake-model"},
            {"choices", json::array({{{"index", 0},
                                      {"message", message},
                                      {"finish_reason",
                                       message.contains("tool_calls") ? "tool_calls" : "stop"}}})},
            {"usage", {{"prompt_tokens", 20}, {"completion_tokens", 5}, {"total_tokens", 25}}}};
}

std::string text_of(const json& message) {
    return message.contains("content") && message["content"].is_string()
               ? message["content"].get<std::string>()
               : "";
}

json agent_message(const json& body, const std::map<std::string, tau::TauTask>& tasks) {
    const json& messages = body["messages"];
    std::string system, instruction;
    int steps = 0;
    for (const json& m : messages) {
        std::string role = m.value("role", "");
        if (role == "system" && system.empty()) system = text_of(m);
        if (role == "user" && instruction.empty()) instruction = text_of(m);
        if (role == "assistant") ++steps;
    }
    auto task = tasks.find(instruction);
    if (system.find(ScriptedTauServer::kMagic) == std::string::npos || task == tasks.end())
        return {{"role", "assistant"}, {"content", "I am sorry, I cannot help with that."}};
    tau::OracleAgent oracle(task->second);
    ChatResponse response;
    for (int i = 0; i <= steps; ++i) response = oracle.chat(ChatRequest{});
    json message = {{"role", "assistant"}, {"content", response.message.content}};
    if (!response.message.tool_calls.empty()) {
        const ToolCall& call = response.message.tool_calls[0];
        message["content"] = nullptr;
        message["tool_calls"] =
            json::array({{{"id", "call_" + std::to_string(steps)},
                          {"type", "function"},
                          {"function", {{"name", call.name}, {"arguments", call.arguments}}}}});
    }
    return message;
}

// "<mask:N>" slots filled, "\<" unescaped; offsets of each fill in the result.
json fill_markup(const std::string& markup, const std::vector<std::string>& fills) {
    std::string text;
    json spans = json::array();
    size_t span = 0;
    for (size_t i = 0; i < markup.size();) {
        if (markup[i] == '\\' && i + 1 < markup.size() && markup[i + 1] == '<') {
            text += '<';
            i += 2;
            continue;
        }
        if (markup.compare(i, 6, "<mask:") == 0) {
            size_t close = markup.find('>', i);
            std::string fill = span < fills.size() ? fills[span] : "";
            spans.push_back(
                {{"start", text.size()}, {"end", text.size() + fill.size()}, {"filled", fill}});
            text += fill;
            ++span;
            i = close + 1;
            continue;
        }
        text += markup[i++];
    }
    return {{"text", text}, {"spans", spans}};
}

}  // namespace

ScriptedTauServer::ScriptedTauServer(const std::string& domain) : impl_(std::make_unique<Impl>()) {
    std::signal(SIGPIPE, SIG_IGN);
    for (const auto& [split, tasks] : tau::load_tau_domain(domain).task_files)
        for (const tau::TauTask& task : tasks) impl_->tasks.emplace(task.instruction, task);
    impl_->server.new_task_queue = [] { return new httplib::ThreadPool(32); };
    impl_->server.Get("/v1/models", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(R"({"object":"list","data":[{"id":"fake-model","object":"model"}]})",
                        "application/json");
    });
    impl_->server.Post("/v1/chat/completions", [this](const httplib::Request& req,
                                                      httplib::Response& res) {
        json body = json::parse(req.body);
        const json& messages = body["messages"];
        const std::string system = messages.empty() ? "" : text_of(messages[0]);
        std::string role = body.contains("tools") ? "agent"
                           : system.rfind("You are a user interacting with an agent.", 0) == 0
                               ? "user"
                               : "rewriter";
        json message;
        if (role == "agent") {
            message = agent_message(body, impl_->tasks);
        } else if (role == "user") {
            {
                std::lock_guard<std::mutex> lock(impl_->mutex);
                if (impl_->fail_user_after >= 0 && impl_->calls["user"] >= impl_->fail_user_after) {
                    res.status = 500;
                    res.set_content(
                        R"({"error":{"message":"the user simulator is down","type":"server_error"}})",
                        "application/json");
                    return;
                }
            }
            const std::string marker = "Instruction: ";
            size_t at = system.find(marker), end = system.find("\n\nRules:");
            std::string instruction =
                at == std::string::npos
                    ? ""
                    : system.substr(at + marker.size(), end - at - marker.size());
            message = {{"role", "assistant"},
                       {"content", messages.size() <= 2 ? instruction : "###STOP###"}};
        } else {
            std::string user = messages.size() > 1 ? text_of(messages[1]) : "";
            size_t open = user.find("<prompt>\n"), close = user.find("\n</prompt>");
            std::string prompt = open == std::string::npos || close == std::string::npos
                                     ? ""
                                     : user.substr(open + 9, close - open - 9);
            std::string added =
                user.find("missed action") != std::string::npos ? kMagic : "Be kind.";
            message = {{"role", "assistant"},
                       {"content", "<prompt>\n" + prompt + "\n" + added + "\n</prompt>"}};
            std::lock_guard<std::mutex> lock(impl_->mutex);
            impl_->contexts["rewriter"].push_back(user);
        }
        {
            std::lock_guard<std::mutex> lock(impl_->mutex);
            impl_->calls[role] += 1;
        }
        res.set_content(chat_reply(message).dump(), "application/json");
    });
    impl_->server.Post("/v1/infill", [this](const httplib::Request& req, httplib::Response& res) {
        json body = json::parse(req.body);
        const std::string context = body.value("context", "");
        const int candidates = body.value("candidates", 1);
        std::string first = context.find("missed action") != std::string::npos
                                ? std::string(" ") + kMagic + " "
                                : " Be kind. ";
        json out = json::array();
        for (int k = 0; k < candidates; ++k)
            out.push_back(fill_markup(body.value("text", ""), {first}));
        {
            std::lock_guard<std::mutex> lock(impl_->mutex);
            impl_->calls["infill"] += 1;
            impl_->contexts["infill"].push_back(context);
        }
        res.set_content(
            json{{"candidates", out}, {"usage", {{"forward_passes", 3}, {"tokens", 10}}}}.dump(),
            "application/json");
    });
    impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
    if (impl_->port <= 0) throw std::runtime_error("scripted server: cannot bind a port");
    impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
    while (!impl_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

ScriptedTauServer::~ScriptedTauServer() {
    impl_->server.stop();
    impl_->thread.join();
}

std::string ScriptedTauServer::root_url() const {
    return "http://127.0.0.1:" + std::to_string(impl_->port);
}
std::string ScriptedTauServer::base_url() const { return root_url() + "/v1"; }

int ScriptedTauServer::calls(const std::string& role) const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->calls.find(role);
    return it == impl_->calls.end() ? 0 : it->second;
}

std::vector<std::string> ScriptedTauServer::contexts(const std::string& role) const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    auto it = impl_->contexts.find(role);
    return it == impl_->contexts.end() ? std::vector<std::string>{} : it->second;
}

void ScriptedTauServer::fail_user_after(int n) {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->fail_user_after = n;
}

}  // namespace remask::testing
