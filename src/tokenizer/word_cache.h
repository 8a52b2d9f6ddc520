#pragma once
// A bounded, thread-safe cache from a pre-tokenized word to its BPE ids. Sharded by hash so
// that threads encoding at the same time rarely wait on the same lock. When a shard is
// full, new words are simply not cached (as the reference does), so memory stays bounded.

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace remask {

class WordCache {
  public:
    // Appends the cached ids of word to out and returns true, or returns false.
    bool lookup(std::string_view word, std::vector<int32_t>& out) const {
        const size_t hash = std::hash<std::string_view>{}(word);
        Shard& shard = shards_[hash % kShards];
        std::lock_guard lock(shard.mutex);
        const auto it = shard.map.find(word);
        if (it == shard.map.end()) return false;
        out.insert(out.end(), it->second.begin(), it->second.end());
        return true;
    }

    void insert(std::string_view word, const int32_t* ids, size_t count) const {
        const size_t hash = std::hash<std::string_view>{}(word);
        Shard& shard = shards_[hash % kShards];
        std::lock_guard lock(shard.mutex);
        if (shard.map.size() >= kEntriesPerShard) return;
        shard.map.try_emplace(std::string(word), ids, ids + count);
    }

  private:
    static constexpr size_t kShards = 64;
    static constexpr size_t kEntriesPerShard = 2048;

    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, std::vector<int32_t>, Hash, std::equal_to<>> map;
    };
    mutable std::array<Shard, kShards> shards_;
};

}  // namespace remask
