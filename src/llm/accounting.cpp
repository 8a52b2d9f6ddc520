#include "llm/accounting.h"

#include "core/error.h"

namespace remask {

CallTicket& CallTicket::operator=(CallTicket&& other) noexcept {
    if (this != &other) {
        if (accounting_) accounting_->abandon_call(kind_);
        accounting_ = other.accounting_;
        kind_ = std::move(other.kind_);
        other.accounting_ = nullptr;
    }
    return *this;
}

CallTicket::~CallTicket() {
    if (accounting_) accounting_->abandon_call(kind_);
}

void CallTicket::finish(const Usage& usage, const Price& price) {
    if (!accounting_) return;
    accounting_->finish_call(kind_, usage, price);
    accounting_ = nullptr;
}

void Accounting::set_call_cap(const std::string& kind, int64_t calls) {
    std::lock_guard lock(mutex_);
    call_caps_[kind] = calls;
}

void Accounting::set_token_cap(int64_t tokens) {
    std::lock_guard lock(mutex_);
    token_cap_ = tokens;
}

void Accounting::set_usd_cap(double usd) {
    std::lock_guard lock(mutex_);
    usd_cap_ = usd;
}

void Accounting::apply(const BudgetSettings& budget) {
    set_call_cap("target", budget.target_calls);
    set_token_cap(budget.tokens);
    set_usd_cap(budget.usd);
}

nlohmann::json Accounting::to_json() const {
    auto kinds = by_kind();
    KindTotals sum = overall();
    nlohmann::json calls = nlohmann::json::object();
    for (const char* kind : {"target", "user", "rewriter", "judge"}) calls[kind] = kinds[kind].calls;
    for (const auto& [kind, totals] : kinds) calls[kind] = totals.calls;
    return {{"calls", calls},
            {"tokens", {{"prompt", sum.prompt_tokens}, {"completion", sum.completion_tokens}}},
            {"usd", sum.usd},
            {"cache_hits", sum.cache_hits},
            {"retries", sum.retries},
            {"failures", sum.failures}};
}

CallTicket Accounting::begin_call(const std::string& kind) {
    std::lock_guard lock(mutex_);
    auto cap = call_caps_.find(kind);
    if (cap != call_caps_.end() && cap->second > 0 &&
        totals_[kind].calls + in_flight_[kind] >= cap->second)
        throw BudgetExhausted("budget", "the cap of " + std::to_string(cap->second) + " " + kind +
                                            " calls is reached");
    if (token_cap_ > 0 && tokens_used_ >= token_cap_)
        throw BudgetExhausted("budget", "the cap of " + std::to_string(token_cap_) +
                                            " tokens is reached (" + std::to_string(tokens_used_) +
                                            " used)");
    if (usd_cap_ > 0 && usd_used_ >= usd_cap_)
        throw BudgetExhausted("budget", "the cap of $" + std::to_string(usd_cap_) +
                                            " is reached ($" + std::to_string(usd_used_) + " spent)");
    ++in_flight_[kind];
    return CallTicket(this, kind);
}

void Accounting::finish_call(const std::string& kind, const Usage& usage, const Price& price) {
    std::lock_guard lock(mutex_);
    --in_flight_[kind];
    KindTotals& totals = totals_[kind];
    double usd = price.cost(usage);
    totals.calls += 1;
    totals.prompt_tokens += usage.prompt_tokens;
    totals.completion_tokens += usage.completion_tokens;
    totals.usd += usd;
    tokens_used_ += usage.prompt_tokens + usage.completion_tokens;
    usd_used_ += usd;
}

void Accounting::abandon_call(const std::string& kind) {
    std::lock_guard lock(mutex_);
    --in_flight_[kind];
}

void Accounting::note_cache_hit(const std::string& kind) {
    std::lock_guard lock(mutex_);
    totals_[kind].cache_hits += 1;
}

void Accounting::note_retry(const std::string& kind) {
    std::lock_guard lock(mutex_);
    totals_[kind].retries += 1;
}

void Accounting::note_failure(const std::string& kind) {
    std::lock_guard lock(mutex_);
    totals_[kind].failures += 1;
}

KindTotals Accounting::totals(const std::string& kind) const {
    std::lock_guard lock(mutex_);
    auto it = totals_.find(kind);
    return it == totals_.end() ? KindTotals{} : it->second;
}

KindTotals Accounting::overall() const {
    std::lock_guard lock(mutex_);
    KindTotals sum;
    for (const auto& [kind, totals] : totals_) {
        sum.calls += totals.calls;
        sum.cache_hits += totals.cache_hits;
        sum.retries += totals.retries;
        sum.failures += totals.failures;
        sum.prompt_tokens += totals.prompt_tokens;
        sum.completion_tokens += totals.completion_tokens;
        sum.usd += totals.usd;
    }
    return sum;
}

std::map<std::string, KindTotals> Accounting::by_kind() const {
    std::lock_guard lock(mutex_);
    return totals_;
}

}  // namespace remask
