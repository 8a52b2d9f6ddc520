#include "tokenizer/bpe_merge.h"

#include <queue>

namespace remask {

void merge_word_by_scan(std::vector<int32_t>& symbols, const MergeTable& merges) {
    const size_t n = symbols.size();
    if (n < 2) return;
    // pairs[i] is the rule for (symbols[i], symbols[i + 1]).
    MergeRule pairs_storage[96];
    std::vector<MergeRule> pairs_heap;
    MergeRule* pairs = pairs_storage;
    if (n - 1 > 96) {
        pairs_heap.resize(n - 1);
        pairs = pairs_heap.data();
    }
    size_t count = n;
    for (size_t i = 0; i + 1 < count; ++i) pairs[i] = merges.find(symbols[i], symbols[i + 1]);
    while (count > 1) {
        size_t best = 0;
        for (size_t i = 1; i + 1 < count; ++i) {
            if (pairs[i].rank < pairs[best].rank) best = i;
        }
        if (pairs[best].merged < 0) break;
        symbols[best] = pairs[best].merged;
        // Drop symbol best + 1 and pair best + 1 (pair best is recomputed below).
        for (size_t i = best + 1; i + 1 < count; ++i) symbols[i] = symbols[i + 1];
        for (size_t i = best + 1; i + 2 < count; ++i) pairs[i] = pairs[i + 1];
        --count;
        if (best > 0) pairs[best - 1] = merges.find(symbols[best - 1], symbols[best]);
        if (best + 1 < count) pairs[best] = merges.find(symbols[best], symbols[best + 1]);
    }
    symbols.resize(count);
}

void merge_word_by_heap(std::vector<int32_t>& symbols, const MergeTable& merges) {
    const int n = static_cast<int>(symbols.size());
    if (n < 2) return;
    std::vector<int> prev(n), next(n);
    std::vector<bool> alive(n, true);
    for (int i = 0; i < n; ++i) {
        prev[i] = i - 1;
        next[i] = (i + 1 < n) ? i + 1 : -1;
    }
    struct Candidate {
        int32_t rank;
        int position;  // index of the left symbol; stable while the list shrinks
        int32_t merged;
        bool operator>(const Candidate& other) const {
            return rank != other.rank ? rank > other.rank : position > other.position;
        }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
    const auto push_pair = [&](int left) {
        if (left < 0 || next[left] < 0) return;
        const MergeRule rule = merges.find(symbols[left], symbols[next[left]]);
        if (rule.merged >= 0) queue.push({rule.rank, left, rule.merged});
    };
    for (int i = 0; i + 1 < n; ++i) push_pair(i);
    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        if (!alive[top.position] || next[top.position] < 0) continue;
        const int right = next[top.position];
        const MergeRule current = merges.find(symbols[top.position], symbols[right]);
        if (current.merged != top.merged || current.rank != top.rank) continue;  // stale entry
        symbols[top.position] = top.merged;
        alive[right] = false;
        next[top.position] = next[right];
        if (next[right] >= 0) prev[next[right]] = top.position;
        push_pair(prev[top.position]);
        push_pair(top.position);
    }
    size_t out = 0;
    for (int i = 0; i < n; ++i) {
        if (alive[i]) symbols[out++] = symbols[i];
    }
    symbols.resize(out);
}

}  // namespace remask
