#pragma once
// Calls, tokens and money of one run, per kind of call (target, user, rewriter, judge), and
// the caps that stop new calls. One Accounting is shared by every LanguageModel of a run.
//
//   auto accounting = std::make_shared<Accounting>();
//   accounting->set_call_cap("target", 400);
//   accounting->set_token_cap(1'000'000);
//   CallTicket ticket = accounting->begin_call("target");  // throws BudgetExhausted
//   ... send, retry ...
//   ticket.finish(usage, price);                           // counted once, on success
//
// What counts (INTERFACES.md): a call is one request that got a successful answer; retries
// and cache hits are not counted. A call cap counts answered calls plus calls in flight, so a
// cap of N gives exactly N answered calls; a failed call gives its place back. Token and
// money caps are checked when a call starts, so calls in flight may finish past them.
// Thread-safe.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "core/settings.h"
#include "llm/language_model.h"

namespace remask {

struct Price {
    double input_per_mtok = 0;   // USD per million prompt tokens
    double output_per_mtok = 0;  // USD per million completion tokens
    double cost(const Usage& usage) const {
        return (usage.prompt_tokens * input_per_mtok + usage.completion_tokens * output_per_mtok) / 1e6;
    }
};

struct KindTotals {
    int64_t calls = 0;        // answered calls (cache hits excluded)
    int64_t cache_hits = 0;
    int64_t retries = 0;      // failed attempts that were retried
    int64_t failures = 0;     // requests that ended in an error (not budget refusals)
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    double usd = 0;
};

class Accounting;

// A started call: holds one place under the call cap until finish() or destruction.
class CallTicket {
public:
    CallTicket() = default;
    CallTicket(Accounting* accounting, std::string kind) : accounting_(accounting), kind_(std::move(kind)) {}
    CallTicket(CallTicket&& other) noexcept { *this = std::move(other); }
    CallTicket& operator=(CallTicket&& other) noexcept;
    ~CallTicket();
    void finish(const Usage& usage, const Price& price);

private:
    Accounting* accounting_ = nullptr;
    std::string kind_;
};

class Accounting {
public:
    // 0 = no cap.
    void set_call_cap(const std::string& kind, int64_t calls);
    void set_token_cap(int64_t tokens);
    void set_usd_cap(double usd);
    // [budget] target_calls, tokens, usd (the other kinds have no cap in the config).
    void apply(const BudgetSettings& budget);

    // Throws BudgetExhausted naming the cap when no new call may start.
    CallTicket begin_call(const std::string& kind);
    void note_cache_hit(const std::string& kind);
    void note_retry(const std::string& kind);
    void note_failure(const std::string& kind);

    KindTotals totals(const std::string& kind) const;
    KindTotals overall() const;  // summed over kinds
    std::map<std::string, KindTotals> by_kind() const;
    // {"calls": {"target": n, "user": n, "rewriter": n, "judge": n}, "tokens": {"prompt",
    // "completion"}, "usd", "cache_hits", "retries", "failures"}: summary.json's parts.
    nlohmann::json to_json() const;

private:
    friend class CallTicket;
    void finish_call(const std::string& kind, const Usage& usage, const Price& price);
    void abandon_call(const std::string& kind);

    mutable std::mutex mutex_;
    std::map<std::string, KindTotals> totals_;
    std::map<std::string, int64_t> in_flight_;
    std::map<std::string, int64_t> call_caps_;
    int64_t token_cap_ = 0;
    double usd_cap_ = 0;
    int64_t tokens_used_ = 0;
    double usd_used_ = 0;
};

}  // namespace remask
