#pragma once
// A fixed pool of worker threads for data-parallel loops.
//
//   ThreadPool pool(4);
//   pool.parallel_for(rows, [&](size_t begin, size_t end) { ... rows [begin, end) ... });
//
// parallel_for blocks until every chunk is done, even when one throws; it then rethrows
// the first exception (the caller's chunk's first). The calling thread works too. Chunks are
// contiguous and deterministic for a given (n, thread count), so results that depend on
// the split stay reproducible.

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace remask {

class ThreadPool {
public:
    // threads == 0: one per hardware core.
    explicit ThreadPool(size_t threads = 0);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    size_t size() const { return workers_.size() + 1; }

    // Splits [0, n) into at most size() contiguous chunks of at least min_chunk items.
    void parallel_for(size_t n, const std::function<void(size_t, size_t)>& body,
                      size_t min_chunk = 1);

    // The process-wide pool (all cores unless set_global_threads was called first).
    // set_global_threads also sizes OpenMP's pool, which the engine's kernels use.
    static ThreadPool& global();
    static void set_global_threads(size_t threads);

private:
    void worker_loop(size_t index);

    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    const std::function<void(size_t, size_t)>* body_ = nullptr;
    size_t n_ = 0;
    size_t chunks_ = 0;
    size_t generation_ = 0;
    size_t pending_ = 0;
    std::exception_ptr worker_error_;  // first throw of a worker's chunk in this run
    bool stopping_ = false;
    std::mutex run_mutex_;  // one parallel_for at a time
};

// Number of hardware threads, at least 1.
size_t hardware_threads();

}  // namespace remask
