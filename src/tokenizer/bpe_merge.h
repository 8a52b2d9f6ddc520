#pragma once
// Applying BPE merges to one word: repeatedly merge the adjacent pair with the lowest rank,
// the leftmost first among equal ranks, until no pair has a rule.
//
// Two implementations with identical results: a scan over an array of pair ranks (fast for
// the short words that dominate real text) and a heap over a linked list (O(n log n), for
// long words such as runs of characters without spaces). merge_word picks one by length.

#include <cstdint>
#include <vector>

#include "tokenizer/merge_table.h"

namespace remask {

// symbols: the word's initial token ids, replaced by the merged ids.
void merge_word_by_scan(std::vector<int32_t>& symbols, const MergeTable& merges);
void merge_word_by_heap(std::vector<int32_t>& symbols, const MergeTable& merges);

inline void merge_word(std::vector<int32_t>& symbols, const MergeTable& merges) {
    if (symbols.size() <= 96) {
        merge_word_by_scan(symbols, merges);
    } else {
        merge_word_by_heap(symbols, merges);
    }
}

}  // namespace remask
