#pragma once
// The τ-bench tasks an optimization run uses, drawn once from [task] seed and sizes:
//
//   TauSplits s = tau_optimization_splits(load_tau_domain("tau-retail"), settings.task);
//   s.train   // minibatches are drawn from these
//   s.val     // every candidate accepted on a minibatch is scored here
//   s.test    // held out: the initial and the best prompt, after the search
//
// retail: train from `train` (500), val from `dev` (20), test from `test` (115).
// airline: the seeded `train` half (airline_split_indices) gives val (at most half of it)
// and train (the rest); the `test` half is held out. A size of 0 takes everything
// available; otherwise a seeded draw (SplitMix64, the same on every platform), kept in
// upstream order. Task ids (TauTask::id) are unique across splits.

#include <vector>

#include "core/settings.h"
#include "tasks/tau/domain.h"

namespace remask::tau {

struct TauSplits {
    std::vector<TauTask> train, val, test;
};

TauSplits tau_optimization_splits(const TauDomain& domain, const TaskSettings& settings);

}  // namespace remask::tau
