#pragma once
// The BPE merge rules as a flat open-addressing hash table: (left id, right id) ->
// (rank, merged id). Lookups are the inner loop of BPE, so this avoids std::unordered_map's
// node chasing.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace remask {

struct MergeRule {
    int32_t rank = std::numeric_limits<int32_t>::max();  // lower merges first; max = no rule
    int32_t merged = -1;                                 // id of the merged token
};

class MergeTable {
  public:
    void reserve(size_t count) {
        size_t capacity = 16;
        while (capacity < count * 2) capacity *= 2;
        keys_.assign(capacity, kEmpty);
        rules_.assign(capacity, MergeRule{});
        mask_ = capacity - 1;
    }

    // Keeps the first (lowest-rank) rule for a pair, as Hugging Face does for duplicates.
    void insert(int32_t left, int32_t right, MergeRule rule) {
        if ((size_ + 1) * 2 > keys_.size()) grow();
        const uint64_t key = make_key(left, right);
        size_t slot = slot_of(key);
        while (keys_[slot] != kEmpty) {
            if (keys_[slot] == key) return;
            slot = (slot + 1) & mask_;
        }
        keys_[slot] = key;
        rules_[slot] = rule;
        ++size_;
    }

    // The rule for (left, right), or a rule with rank max when there is none.
    MergeRule find(int32_t left, int32_t right) const {
        if (keys_.empty()) return MergeRule{};
        const uint64_t key = make_key(left, right);
        size_t slot = slot_of(key);
        while (true) {
            const uint64_t k = keys_[slot];
            if (k == key) return rules_[slot];
            if (k == kEmpty) return MergeRule{};
            slot = (slot + 1) & mask_;
        }
    }

    size_t size() const { return size_; }

  private:
    static constexpr uint64_t kEmpty = ~uint64_t{0};
    static uint64_t make_key(int32_t left, int32_t right) {
        return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) |
               static_cast<uint32_t>(right);
    }
    size_t slot_of(uint64_t key) const {
        return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 20) & mask_;
    }

    void grow() {
        std::vector<uint64_t> old_keys = std::move(keys_);
        std::vector<MergeRule> old_rules = std::move(rules_);
        reserve(old_keys.empty() ? 16 : old_keys.size());
        size_ = 0;
        for (size_t i = 0; i < old_keys.size(); ++i) {
            if (old_keys[i] != kEmpty) {
                insert(static_cast<int32_t>(old_keys[i] >> 32),
                       static_cast<int32_t>(old_keys[i] & 0xFFFFFFFFu), old_rules[i]);
            }
        }
    }

    std::vector<uint64_t> keys_;
    std::vector<MergeRule> rules_;
    size_t mask_ = 0;
    size_t size_ = 0;
};

}  // namespace remask
