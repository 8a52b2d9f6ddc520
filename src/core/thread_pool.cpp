#include "core/thread_pool.h"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <memory>

namespace remask {

size_t hardware_threads() { return std::max<size_t>(1, std::thread::hardware_concurrency()); }

ThreadPool::ThreadPool(size_t threads) {
    if (threads == 0) threads = hardware_threads();
    for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
}

static void chunk_range(size_t n, size_t chunks, size_t index, size_t* begin, size_t* end) {
    size_t base = n / chunks, extra = n % chunks;
    *begin = index * base + std::min(index, extra);
    *end = *begin + base + (index < extra ? 1 : 0);
}

void ThreadPool::parallel_for(size_t n, const std::function<void(size_t, size_t)>& body,
                              size_t min_chunk) {
    if (n == 0) return;
    size_t chunks = std::min(size(), std::max<size_t>(1, n / std::max<size_t>(1, min_chunk)));
    if (chunks <= 1 || workers_.empty()) {
        body(0, n);
        return;
    }
    std::lock_guard<std::mutex> run_lock(run_mutex_);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        body_ = &body;
        n_ = n;
        chunks_ = chunks;
        pending_ = chunks - 1;
        ++generation_;
    }
    wake_.notify_all();
    size_t begin, end;
    chunk_range(n, chunks, 0, &begin, &end);
    std::exception_ptr caller_error;
    try {
        body(begin, end);
    } catch (...) {
        caller_error = std::current_exception();
    }
    // Workers still use `body` (on the caller's stack): wait for them even after a throw.
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    body_ = nullptr;
    std::exception_ptr error = caller_error ? caller_error : worker_error_;
    worker_error_ = nullptr;
    lock.unlock();
    if (error) std::rethrow_exception(error);
}

void ThreadPool::worker_loop(size_t index) {
    size_t seen = 0;
    while (true) {
        const std::function<void(size_t, size_t)>* body;
        size_t n, chunks;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
            body = body_;
            n = n_;
            chunks = chunks_;
        }
        if (index < chunks) {
            size_t begin, end;
            chunk_range(n, chunks, index, &begin, &end);
            std::exception_ptr error;
            try {
                (*body)(begin, end);
            } catch (...) {
                error = std::current_exception();  // rethrown by parallel_for, not std::terminate
            }
            std::lock_guard<std::mutex> lock(mutex_);
            if (error && !worker_error_) worker_error_ = error;
            if (--pending_ == 0) done_.notify_all();
        }
    }
}

namespace {
size_t& global_thread_setting() {
    static size_t threads = 0;
    return threads;
}
}  // namespace

ThreadPool& ThreadPool::global() {
    static ThreadPool pool(global_thread_setting());
    return pool;
}

void ThreadPool::set_global_threads(size_t threads) {
    global_thread_setting() = threads;
    // The engine's matrix products (oneDNN) and row kernels run on OpenMP's threads.
    omp_set_num_threads(static_cast<int>(threads > 0 ? threads : hardware_threads()));
}

}  // namespace remask
