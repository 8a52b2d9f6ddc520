#include "optimize/optimizer.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <set>

#include "core/log.h"
#include "core/progress.h"
#include "optimize/budget.h"
#include "optimize/candidate_pool.h"
#include "optimize/feedback_log.h"
#include "optimize/journal_memo.h"
#include "optimize/loop_checkpoint.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

// Thrown inside the loop when the next step would cross a cap; ends the search cleanly.
struct BudgetStop {
    std::string reason;
};

// Iterations in a row that proposed no prompt new to this run before it stops as
// "stalled": a proposer that keeps returning known prompts costs nothing on the target
// (every score is already known), so the target-call cap alone would never end the run.
constexpr int64_t kMaxIdleIterations = 10;

double mean_of(const std::vector<Trace>& traces) {
    if (traces.empty()) return 0.0;
    double sum = 0;
    for (const Trace& t : traces) sum += t.score;
    return sum / static_cast<double>(traces.size());
}

class Loop {
  public:
    Loop(const Settings& s, RunDirectory& dir, OptimizerParts& parts, const OptimizerHooks& hooks)
        : s_(s),
          dir_(dir),
          parts_(parts),
          hooks_(hooks),
          budget_(s.budget),
          seed_(static_cast<uint64_t>(s.run.seed)),
          started_(std::chrono::steady_clock::now()) {
        if (!parts_.evaluator || !parts_.proposer || !parts_.splitter)
            throw UsageError("optimizer", "needs an evaluator, a proposer and a token splitter");
    }

    OptimizeResult run(const std::string& initial_prompt);

  private:
    double wall() const {
        return wall_before_ +
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    }
    void emit(nlohmann::json e) {
        e["t"] = wall();
        dir_.append_event(e);
        if (hooks_.on_event) hooks_.on_event(e);
    }
    void check_stop() const {
        if (hooks_.stop_requested && hooks_.stop_requested->load())
            throw Interrupted(
                "optimize", "interrupted; continue with: remask optimize --resume " + dir_.path());
    }

    std::vector<Trace> evaluate(const std::string& prompt, const std::vector<std::string>& ids,
                                const std::string& phase, const std::string& candidate,
                                int64_t iteration, bool capped);
    std::vector<std::string> draw_minibatch(int64_t iteration) const;
    std::string invalid_reason(const std::string& child, const std::string& parent,
                               const std::vector<Candidate>& siblings) const;
    void start_fresh(const std::string& initial_prompt);
    void restore(const nlohmann::json& checkpoint);
    void iteration(int64_t it);
    void take_feedback(int64_t it);
    void use_feedback_entry(const nlohmann::json& entry);
    std::string proposer_notes() const;
    ReviewDecision review(int64_t it, const Candidate& parent, double parent_score,
                          const std::vector<Trace>& traces, const std::vector<Candidate>& children);
    void write_checkpoint(bool finished);
    OptimizeResult finish();
    void note_progress();

    const Settings& s_;
    RunDirectory& dir_;
    OptimizerParts& parts_;
    const OptimizerHooks& hooks_;
    Budget budget_;
    uint64_t seed_;
    std::chrono::steady_clock::time_point started_;
    double wall_before_ = 0;

    JournalMemo memo_;
    Spend spent_;
    CandidatePool pool_;
    std::vector<std::string> train_, val_;
    int64_t next_iteration_ = 1;
    int64_t since_improvement_ = 0;
    int64_t idle_iterations_ = 0;
    std::set<std::string> seen_prompts_;           // prompt_key of every child ever proposed
    std::string notes_;                            // from --review, for the proposer
    std::map<std::string, std::string> comments_;  // from --review, example id -> comment
    // RUN_DIR/feedback.jsonl (the review page): lines taken so far, the example remarks
    // among them (notes go to notes_), and what the journal says each iteration took.
    int64_t feedback_lines_ = 0;
    nlohmann::json feedback_entries_ = nlohmann::json::array();
    FeedbackBook run_feedback_;
    std::map<int64_t, nlohmann::json> journaled_feedback_;
    std::string stop_reason_;
    std::unique_ptr<Progress> progress_;
    int64_t progress_calls_ = 0;
};

std::vector<Trace> Loop::evaluate(const std::string& prompt, const std::vector<std::string>& ids,
                                  const std::string& phase, const std::string& candidate,
                                  int64_t iteration, bool capped) {
    const std::string rendered = render_for_target(prompt);
    const std::string key = prompt_key(rendered);
    std::vector<std::string> misses;
    std::set<std::string> seen;
    for (const std::string& id : ids)
        if (!memo_.trace(key, id) && seen.insert(id).second) misses.push_back(id);
    if (!misses.empty()) {
        check_stop();
        if (capped && !budget_.allows_target_calls(
                          spent_, parts_.evaluator->max_target_calls(rendered, misses)))
            throw BudgetStop{"target_calls"};
        if (capped && !budget_.allows_user_calls(
                          spent_, parts_.evaluator->max_user_calls(rendered, misses)))
            throw BudgetStop{"user_calls"};
        Spend before = parts_.evaluator->spent();
        std::vector<Trace> traces;
        try {
            traces = parts_.evaluator->evaluate(rendered, misses);
        } catch (...) {
            // Calls answered before the error were paid for: counted and journaled, so the
            // budget and a resumed run see them.
            Spend paid = parts_.evaluator->spent() - before;
            spent_ += paid;
            emit({{"event", "eval_failed"},
                  {"iteration", iteration},
                  {"phase", phase},
                  {"candidate", candidate},
                  {"spend", to_json(paid)}});
            throw;
        }
        Spend delta = parts_.evaluator->spent() - before;
        if (traces.size() != misses.size())
            throw ExternalError("evaluator", "returned " + std::to_string(traces.size()) +
                                                 " traces for " + std::to_string(misses.size()) +
                                                 " examples");
        spent_ += delta;
        nlohmann::json logged = nlohmann::json::array();
        for (size_t i = 0; i < traces.size(); ++i) {
            traces[i].example_id = misses[i];
            memo_.put(key, traces[i]);
            logged.push_back(to_json(traces[i]));
        }
        emit({{"event", "eval"},
              {"iteration", iteration},
              {"phase", phase},
              {"candidate", candidate},
              {"prompt_hash", key},
              {"traces", logged},
              {"spend", to_json(delta)}});
        note_progress();
    }
    std::vector<Trace> out;
    for (const std::string& id : ids) out.push_back(*memo_.trace(key, id));
    // The test score is the metric's alone: people's score overrides and comments steer
    // the search, never the held-out result.
    if (phase == "test") return out;
    parts_.feedback.apply(out);
    run_feedback_.apply(out);
    for (Trace& t : out)
        if (auto c = comments_.find(t.example_id); c != comments_.end())
            t.feedback += (t.feedback.empty() ? "" : "\n") + std::string("Reviewer: ") + c->second;
    return out;
}

std::vector<std::string> Loop::draw_minibatch(int64_t iteration) const {
    std::vector<std::string> ids = train_;
    auto rng = make_rng(seed_, iteration, "minibatch");
    size_t n =
        std::min(ids.size(), static_cast<size_t>(std::max<int64_t>(1, s_.optimizer.minibatch)));
    for (size_t i = 0; i < n; ++i) std::swap(ids[i], ids[i + uniform_index(rng, ids.size() - i)]);
    ids.resize(n);
    return ids;
}

std::string Loop::invalid_reason(const std::string& child, const std::string& parent,
                                 const std::vector<Candidate>& siblings) const {
    if (!keeps_preserved(parent, child)) return "keep-changed";
    if (render_for_target(child).find_first_not_of(" \t\r\n") == std::string::npos) return "empty";
    if (child == parent) return "unchanged";
    if (s_.optimizer.max_prompt_tokens > 0 &&
        count_prompt_tokens(child, parts_.splitter) >
            static_cast<size_t>(s_.optimizer.max_prompt_tokens))
        return "too-long";
    if (pool_.contains_prompt(child)) return "duplicate";
    for (const Candidate& c : siblings)
        if (c.prompt == child) return "duplicate";
    return "";
}

void Loop::start_fresh(const std::string& initial_prompt) {
    split_keep_regions(initial_prompt, "initial prompt");  // throws on broken markers
    nlohmann::json start = {{"event", "start"},
                            {"initial_prompt", initial_prompt},
                            {"seed", s_.run.seed},
                            {"proposer", s_.optimizer.proposer}};
    if (s_.optimizer.proposer == "dlm" || s_.optimizer.proposer == "dlm-blind")  // what the DLM ran with
        start["dlm"] = {{"kv_cache", s_.dlm.kv_cache}, {"kv_refresh", s_.dlm.kv_refresh}, {"compute", s_.dlm.compute}};
    emit(start);
    Candidate c0;
    c0.id = "c0";
    c0.proposer = "initial";
    c0.prompt = initial_prompt;
    std::vector<Trace> traces;
    try {
        traces = evaluate(c0.prompt, val_, "val", c0.id, 0, true);
    } catch (const BudgetStop& stop) {
        throw UsageError("[budget] " + stop.reason,
                         "too small to score the initial prompt on the validation split (" +
                             std::to_string(val_.size()) + " examples, at most " +
                             std::to_string(stop.reason == "user_calls"
                                                ? parts_.evaluator->max_user_calls(render_for_target(c0.prompt), val_)
                                                : parts_.evaluator->max_target_calls(render_for_target(c0.prompt), val_)) +
                             " calls)");
    }
    for (const Trace& t : traces) c0.val_scores[t.example_id] = t.score;
    c0.val = mean_score(c0.val_scores);
    c0.accepted = true;
    c0.decision = "initial";
    c0.target_calls = spent_.target_calls;
    pool_.add(c0);
    seen_prompts_.insert(prompt_key(c0.prompt));
    dir_.append_candidate(to_json(c0));
    emit({{"event", "candidate"},
          {"iteration", 0},
          {"id", "c0"},
          {"decision", "initial"},
          {"val", *c0.val}});
    emit({{"event", "best"},
          {"iteration", 0},
          {"candidate", "c0"},
          {"val", *c0.val},
          {"target_calls", spent_.target_calls}});
    next_iteration_ = 1;
    write_checkpoint(false);
}

void Loop::restore(const nlohmann::json& cp) {
    const std::string path = dir_.file("checkpoint.json");
    LoopCheckpoint state = parse_loop_checkpoint(cp, path);
    for (Candidate& c : state.pool) pool_.add(std::move(c));
    next_iteration_ = state.next_iteration;
    since_improvement_ = state.since_improvement;
    idle_iterations_ = state.idle_iterations;
    seen_prompts_ = std::move(state.seen_prompts);
    notes_ = std::move(state.notes);
    comments_ = std::move(state.comments);
    feedback_lines_ = state.feedback_lines;
    try {
        for (const nlohmann::json& e : state.feedback_entries) use_feedback_entry(e);
    } catch (const nlohmann::json::exception& e) {
        throw InputError(path, std::string("a feedback entry has unexpected content: ") + e.what());
    }
}

void Loop::write_checkpoint(bool finished) {
    nlohmann::json pool = nlohmann::json::array();
    for (const Candidate& c : pool_.members()) pool.push_back(to_json(c));
    dir_.write_checkpoint({{"version", 1},
                           {"next_iteration", next_iteration_},
                           {"since_improvement", since_improvement_},
                           {"idle_iterations", idle_iterations_},
                           {"seen_prompts", seen_prompts_},
                           {"pool", pool},
                           {"best", pool_.best().id},
                           {"notes", notes_},
                           {"comments", comments_},
                           {"feedback_lines", feedback_lines_},
                           {"feedback_entries", feedback_entries_},
                           {"spent", to_json(spent_)},
                           {"wall_s", wall()},
                           {"finished", finished},
                           {"stop_reason", stop_reason_}});
}

void Loop::note_progress() {
    if (!progress_) return;
    // The bar counts target calls against the cap; the note says where the search is.
    std::string note = "iteration " + std::to_string(next_iteration_) + ", best val " +
                       (pool_.empty() ? std::string("-") : std::to_string(*pool_.best().val));
    int64_t calls = spent_.target_calls;
    if (calls > progress_calls_) {
        progress_->advance(static_cast<size_t>(calls - progress_calls_), note);
        progress_calls_ = calls;
    } else {
        progress_->set_note(note);
    }
}

ReviewDecision Loop::review(int64_t it, const Candidate& parent, double parent_score,
                            const std::vector<Trace>& traces,
                            const std::vector<Candidate>& children) {
    if (const ReviewDecision* done = memo_.review(it)) return *done;
    ReviewView view{it, parent.id, parent.prompt, parent_score, traces, {}};
    for (const Candidate& c : children)
        if (c.minibatch_score)
            view.children.push_back({c.id, c.prompt, c.edits, *c.minibatch_score});
    ReviewDecision d = parts_.reviewer->review(view);
    memo_.put_review(it, d);
    emit({{"event", "review"}, {"iteration", it}, {"decision", to_json(d)}});
    return d;
}

// An example remark joins the run's book; a note joins the proposer's notes.
void Loop::use_feedback_entry(const nlohmann::json& entry) {
    if (entry.contains("note")) {
        notes_ += (notes_.empty() ? "" : "\n") + entry["note"].get<std::string>();
        return;
    }
    run_feedback_.add_entry(entry, dir_.file("feedback.jsonl"));
    feedback_entries_.push_back(entry);
}

// The lines appended to RUN_DIR/feedback.jsonl since the last iteration (by the review
// page, or by hand) shape this one; the journal records them, so a resumed run takes the
// same ones. Decisions are skipped: the review event of their iteration holds them.
void Loop::take_feedback(int64_t it) {
    nlohmann::json entries = nlohmann::json::array();
    if (auto done = journaled_feedback_.find(it); done != journaled_feedback_.end()) {
        entries = done->second.value("entries", nlohmann::json::array());
        feedback_lines_ = done->second.value("lines", feedback_lines_);
    } else {
        NewFeedback fresh = read_feedback_since(dir_.file("feedback.jsonl"), feedback_lines_);
        if (fresh.lines == feedback_lines_) return;
        feedback_lines_ = fresh.lines;
        entries = std::move(fresh.entries);
        if (!entries.empty())
            emit({{"event", "feedback"}, {"iteration", it}, {"entries", entries}, {"lines", feedback_lines_}});
    }
    for (const nlohmann::json& e : entries) use_feedback_entry(e);
}

std::string Loop::proposer_notes() const {
    std::string from_file = parts_.feedback.notes();
    if (from_file.empty() || notes_.empty()) return from_file + notes_;
    return from_file + "\n" + notes_;
}

void Loop::iteration(int64_t it) {
    check_stop();
    take_feedback(it);
    auto select_rng = make_rng(seed_, it, "select");
    const Candidate parent = pool_.select(s_.optimizer.selection, select_rng);
    const std::vector<std::string> batch = draw_minibatch(it);
    const std::vector<Trace> parent_traces =
        evaluate(parent.prompt, batch, "parent", parent.id, it, true);
    const double parent_score = mean_of(parent_traces);

    const std::string key = proposal_key(it, parent.prompt, parts_.proposer->name());
    ProposalBatch proposals;
    if (const ProposalBatch* done = memo_.proposal(key)) {
        proposals = *done;
    } else {
        check_stop();
        ProposalRequest request{parent.prompt,
                                parent_traces,
                                proposer_notes(),
                                s_.optimizer.candidates,
                                it,
                                derive_seed(seed_, it, "propose")};
        proposals = parts_.proposer->propose(request);
        spent_ += proposals.spend;
        nlohmann::json children = nlohmann::json::array();
        for (const Proposal& p : proposals.proposals)
            children.push_back({{"prompt", p.prompt}, {"spans", to_json(p.edits)}});
        emit({{"event", "proposal"},
              {"iteration", it},
              {"key", key},
              {"parent", parent.id},
              {"proposer", parts_.proposer->name()},
              {"children", children},
              {"detail", proposals.detail},
              {"spend", to_json(proposals.spend)}});
        memo_.put_proposal(key, proposals);
    }

    std::vector<Candidate> children;
    auto write_children = [&] {
        for (const Candidate& c : children) dir_.append_candidate(to_json(c));
    };
    bool improved = false;
    bool stop_after = false;
    try {
        for (size_t k = 0; k < proposals.proposals.size(); ++k) {
            Candidate c;
            c.id = "c" + std::to_string(it) + "_" + std::to_string(k);
            c.parent = parent.id;
            c.iteration = it;
            c.proposer = parts_.proposer->name();
            c.prompt = proposals.proposals[k].prompt;
            c.edits = proposals.proposals[k].edits;
            c.minibatch = batch;
            c.parent_minibatch_score = parent_score;
            c.decision = invalid_reason(c.prompt, parent.prompt, children);
            if (c.decision.empty()) {
                c.decision = "pending";
                c.minibatch_score = mean_of(evaluate(c.prompt, batch, "child", c.id, it, true));
            }
            children.push_back(std::move(c));
        }
        ReviewDecision decision;
        bool any_scored = false;
        for (const Candidate& c : children)
            any_scored = any_scored || c.minibatch_score.has_value();
        if (parts_.reviewer && any_scored) {
            decision = review(it, parent, parent_score, parent_traces, children);
            for (const auto& [id, text] : decision.comments) comments_[id] = text;
            if (!decision.notes.empty()) notes_ += (notes_.empty() ? "" : "\n") + decision.notes;
            stop_after = decision.stop;
        }
        for (Candidate& c : children) {
            if (c.decision != "pending") continue;
            bool vetoed = std::find(decision.vetoed.begin(), decision.vetoed.end(), c.id) !=
                          decision.vetoed.end();
            bool picked = decision.picked == c.id;
            if (vetoed) {
                c.decision = "vetoed";
            } else if (picked || *c.minibatch_score > parent_score) {
                for (const Trace& t : evaluate(c.prompt, val_, "val", c.id, it, true))
                    c.val_scores[t.example_id] = t.score;
                c.val = mean_score(c.val_scores);
                c.accepted = true;
                c.decision = picked ? "picked" : "accepted";
                double best_before = *pool_.best().val;
                pool_.add(c);
                if (*c.val > best_before) {
                    improved = true;
                    emit({{"event", "best"},
                          {"iteration", it},
                          {"candidate", c.id},
                          {"val", *c.val},
                          {"target_calls", spent_.target_calls}});
                }
            } else {
                c.decision = "worse";
            }
            c.target_calls = spent_.target_calls;
            emit({{"event", "candidate"},
                  {"iteration", it},
                  {"id", c.id},
                  {"parent", c.parent},
                  {"decision", c.decision},
                  {"minibatch_score", *c.minibatch_score},
                  {"parent_minibatch_score", parent_score},
                  {"val", c.val ? nlohmann::json(*c.val) : nlohmann::json(nullptr)}});
        }
    } catch (const BudgetStop&) {
        for (Candidate& c : children)
            if (c.decision == "pending") c.decision = "budget";
        write_children();
        throw;
    }
    write_children();
    since_improvement_ = improved ? 0 : since_improvement_ + 1;
    bool novel = false;
    for (const Candidate& c : children)
        novel = seen_prompts_.insert(prompt_key(c.prompt)).second || novel;
    idle_iterations_ = novel ? 0 : idle_iterations_ + 1;
    emit({{"event", "iteration"},
          {"iteration", it},
          {"parent", parent.id},
          {"parent_minibatch_score", parent_score},
          {"best", pool_.best().id},
          {"best_val", *pool_.best().val},
          {"spent", to_json(spent_)}});
    if (stop_after) stop_reason_ = "review";
}

OptimizeResult Loop::finish() {
    emit({{"event", "stop"}, {"reason", stop_reason_}, {"iterations", next_iteration_ - 1}});
    const Candidate best = pool_.best();
    const Candidate& initial = pool_.members().front();
    OptimizeResult r;
    r.best_id = best.id;
    r.best_prompt = best.prompt;
    r.best_val = *best.val;
    r.initial_val = *initial.val;
    r.stop_reason = stop_reason_;
    r.iterations = next_iteration_ - 1;
    std::vector<std::string> test = parts_.evaluator->split("test");
    if (!test.empty()) {
        r.initial_test =
            mean_of(evaluate(initial.prompt, test, "test", initial.id, next_iteration_, false));
        r.best_test = mean_of(evaluate(best.prompt, test, "test", best.id, next_iteration_, false));
    }
    auto opt = [](const std::optional<double>& v) {
        return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
    };
    r.summary = {
        {"task", s_.task.name},
        {"proposer", s_.optimizer.proposer},
        {"initial", {{"val", r.initial_val}, {"test", opt(r.initial_test)}}},
        {"best", {{"val", r.best_val}, {"test", opt(r.best_test)}, {"candidate", r.best_id}}},
        {"calls",
         {{"target", spent_.target_calls},
          {"user", spent_.user_calls},
          {"rewriter", spent_.rewriter_calls},
          {"judge", spent_.judge_calls}}},
        {"dlm_forwards", spent_.dlm_forwards},
        {"tokens", spent_.tokens},
        {"usd", spent_.usd},
        {"wall_s", wall()}};
    // Only runs scored by the user's own scorer have a fifth kind (uncapped; docs/tasks.md).
    if (s_.task.name == "jsonl" && (s_.task.metric == "webhook" || s_.task.metric == "exec"))
        r.summary["calls"]["scorer"] = spent_.scorer_calls;
    write_file_atomically(dir_.file("best_prompt.txt"), render_for_target(best.prompt));
    write_file_atomically(dir_.file("summary.json"), r.summary.dump(2) + "\n");
    write_checkpoint(true);
    emit({{"event", "finished"}, {"best", best.id}, {"best_val", r.best_val}});
    if (progress_) progress_->finish();
    return r;
}

OptimizeResult Loop::run(const std::string& initial_prompt) {
    std::vector<nlohmann::json> events = dir_.read_events();
    load_journal(memo_, events, dir_.file("events.jsonl"));
    try {
        for (const nlohmann::json& e : events)
            if (e.is_object() && e.value("event", std::string()) == "feedback")
                journaled_feedback_[e.value("iteration", int64_t{0})] = e;
    } catch (const nlohmann::json::exception& e) {
        throw InputError(dir_.file("events.jsonl"), std::string("a feedback event has unexpected content: ") + e.what());
    }
    spent_ = memo_.spent;
    wall_before_ = memo_.wall_s;
    train_ = parts_.evaluator->split("train");
    val_ = parts_.evaluator->split("val");
    if (train_.empty())
        throw UsageError("[task]", "the train split is empty: minibatches need examples");
    if (val_.empty()) throw UsageError("[task]", "the validation split is empty");
    if (hooks_.show_progress)
        progress_ = std::make_unique<Progress>(
            "optimize", static_cast<size_t>(std::max<int64_t>(0, s_.budget.target_calls)));

    std::optional<nlohmann::json> checkpoint = dir_.read_checkpoint();
    if (checkpoint) {
        restore(*checkpoint);
        // Lines of the iteration about to be replayed are written again by the replay.
        dir_.filter_candidates([&](const nlohmann::json& c) {
            return c.value("iteration", int64_t{0}) < next_iteration_;
        });
        emit({{"event", "resume"}, {"from_iteration", next_iteration_}});
    } else {
        std::string first = initial_prompt;
        for (const nlohmann::json& e : events)  // a crash before the first checkpoint
            if (e.value("event", std::string()) == "start")
                first = e.value("initial_prompt", first);
        dir_.filter_candidates([](const nlohmann::json&) { return false; });
        start_fresh(first);
    }

    while (true) {
        std::string reason = budget_.exhausted(spent_, wall());
        if (!reason.empty()) {
            stop_reason_ = reason;
            break;
        }
        if (s_.optimizer.patience > 0 && since_improvement_ >= s_.optimizer.patience) {
            stop_reason_ = "patience";
            break;
        }
        if (idle_iterations_ >= kMaxIdleIterations) {
            stop_reason_ = "stalled";
            break;
        }
        try {
            iteration(next_iteration_);
        } catch (const BudgetStop& stop) {
            stop_reason_ = stop.reason;
            break;
        }
        ++next_iteration_;
        write_checkpoint(false);
        note_progress();
        if (stop_reason_ == "review") break;
    }
    return finish();
}

}  // namespace

OptimizeResult run_optimizer(const Settings& settings, RunDirectory& dir,
                             const std::string& initial_prompt, OptimizerParts& parts,
                             const OptimizerHooks& hooks) {
    Loop loop(settings, dir, parts, hooks);
    return loop.run(initial_prompt);
}

}  // namespace remask::optimize
