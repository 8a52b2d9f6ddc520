#pragma once
// `metric = "exec"`: long-lived child processes ([scorer] command, argv, no shell) speaking
// JSON lines: one request (scorer.h) per line on the child's stdin, one reply per line on
// its stdout. Up to max_in_flight children ("workers"), started when first needed, each
// serving one request at a time. A worker that exits, sends no full line within timeout_s
// or answers with a line that is not a usable reply is killed, and the request is retried
// on a fresh worker up to max_retries times. Each line a child writes to stderr goes to
// remask's log ("scorer[pid]: ..."), so it lands in the run's log.
//
// Identity (the score cache's key): the argv plus the SHA-256 of every argument that names
// a file, so editing score.py makes earlier scores unreachable.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "tasks/scorer.h"

namespace remask {

class ExecScorer : public Scorer {
  public:
    ExecScorer(ScorerSettings settings, ScorerOptions options);
    ~ExecScorer() override;  // closes every child's stdin, then waits for (or kills) it

    std::string describe() const override;

  protected:
    ScorerVerdict ask(const nlohmann::json& request, const std::string& example_id) override;
    std::string identity() const override { return identity_; }

  public:
    struct Worker;  // one child process and its pipes (exec_scorer.cpp)

  private:
    std::unique_ptr<Worker> borrow();
    void give_back(std::unique_ptr<Worker> worker);

    std::string identity_;
    std::mutex mutex_;
    std::condition_variable worker_free_;
    std::vector<std::unique_ptr<Worker>> idle_;
    int64_t started_ = 0;  // workers alive (idle or lent)
};

}  // namespace remask
