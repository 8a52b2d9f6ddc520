#pragma once
// A promptfoo-style webhook scorer on loopback (cpp-httplib, a free port) that rewards
// answers containing a word and misbehaves on purpose.
//
//   FakeScorerServer scorer("banana");
//   scorer.set_fault_plan([](const nlohmann::json& request, int attempt) {
//       return attempt == 0 ? ScorerFault::status_500 : ScorerFault::none;
//   });
//
// A good reply: {"pass": output contains the word (any case), "score": 1 if pass, else the
// example's extra field "w" (0 when absent), "reason": "has/lacks <word>"}. `attempt`
// counts earlier requests for the same example id; example_id(request) reads that id.

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace remask::testing {

enum class ScorerFault { none, status_500, status_404, slow, bad_json, no_pass };

// The scoring rule above, shared with the exec test script.
inline nlohmann::json word_verdict(const nlohmann::json& request, const std::string& word) {
    std::string output = request.value("output", "");
    std::string lower;
    for (char c : output) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool pass = lower.find(word) != std::string::npos;
    const auto& vars = request["context"]["vars"];
    const double partial = vars.contains("w") ? vars["w"].get<double>() : 0.0;
    return {{"pass", pass},
            {"score", pass ? 1.0 : partial},
            {"reason", (pass ? "has " : "lacks ") + word}};
}

inline std::string example_id(const nlohmann::json& request) {
    return request["context"]["vars"].value("id", "");
}

class FakeScorerServer {
  public:
    using FaultPlan = std::function<ScorerFault(const nlohmann::json& request, int attempt)>;

    explicit FakeScorerServer(std::string word) : word_(std::move(word)) {
        server_.Post("/score", [this](const httplib::Request& req, httplib::Response& res) {
            const auto request = nlohmann::json::parse(req.body);
            const std::string id = request["context"]["vars"].value("id", "");
            ScorerFault fault;
            {
                std::lock_guard<std::mutex> lock(mutex_);
                ++requests_;
                last_request_ = request;
                last_authorization_ = req.get_header_value("Authorization");
                fault = plan_ ? plan_(request, attempts_[id]++) : ScorerFault::none;
            }
            switch (fault) {
                case ScorerFault::status_500:
                    res.status = 500;
                    res.set_content("oops", "text/plain");
                    return;
                case ScorerFault::status_404:
                    res.status = 404;
                    res.set_content("no", "text/plain");
                    return;
                case ScorerFault::slow:
                    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
                    break;
                case ScorerFault::bad_json:
                    res.set_content("{\"pass\": tru", "application/json");
                    return;
                case ScorerFault::no_pass:
                    res.set_content(R"({"reason": "forgot"})", "application/json");
                    return;
                case ScorerFault::none:
                    break;
            }
            res.set_content(word_verdict(request, word_).dump(), "application/json");
        });
        server_.new_task_queue = [] { return new httplib::ThreadPool(16); };
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::yield();
    }
    ~FakeScorerServer() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/score"; }
    void set_fault_plan(FaultPlan plan) {
        std::lock_guard<std::mutex> lock(mutex_);
        plan_ = std::move(plan);
    }
    int requests() {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }
    nlohmann::json last_request() {
        std::lock_guard<std::mutex> lock(mutex_);
        return last_request_;
    }
    std::string last_authorization() {
        std::lock_guard<std::mutex> lock(mutex_);
        return last_authorization_;
    }

  private:
    std::string word_;
    httplib::Server server_;
    std::mutex mutex_;
    FaultPlan plan_;
    std::map<std::string, int> attempts_;
    int requests_ = 0;
    nlohmann::json last_request_;
    std::string last_authorization_;
    int port_ = 0;
    std::thread thread_;
};

// An exec scorer script with the same rule. Faults, each once per example (a marker file in
// dir remembers it): an output containing "CRASH" exits mid-run, "GARBAGE" prints a line
// that is not JSON, "HANG" sleeps past any timeout; "ALWAYS-GARBAGE" never answers well.
inline std::string word_scorer_script(const std::string& word) {
    return R"(import json, os, sys, time
word = ")" +
           word + R"("
here = os.path.dirname(os.path.abspath(__file__))
def once(tag, key):
    marker = os.path.join(here, tag + "-" + key)
    if os.path.exists(marker):
        return False
    open(marker, "w").close()
    return True
for line in sys.stdin:
    req = json.loads(line)
    out = req["output"]
    vars = req["context"]["vars"]
    key = str(vars.get("id", ""))
    print("scoring " + key, file=sys.stderr, flush=True)
    if "ALWAYS-GARBAGE" in out:
        print("not json", flush=True); continue
    if "CRASH" in out and once("crash", key):
        sys.exit(3)
    if "GARBAGE" in out and once("garbage", key):
        print("<html>oops</html>", flush=True); continue
    if "HANG" in out and once("hang", key):
        time.sleep(30)
    ok = word in out.lower()
    print(json.dumps({"pass": ok, "score": 1.0 if ok else float(vars.get("w", 0)),
                      "reason": ("has " if ok else "lacks ") + word}), flush=True)
)";
}

}  // namespace remask::testing
