#pragma once
// The oneDNN engine and stream the engine's matrix products run on, and a small cache of
// plain strided matmul primitives (used by attention, whose operands are views).
//
// oneDNN runs its threads on OpenMP (sized by ThreadPool::set_global_threads), and our own
// row kernels parallelize with OpenMP too, so one set of threads serves both.

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>

namespace remask {

dnnl::engine& onednn_engine();
dnnl::stream& onednn_stream();

// OpenMP's (and so oneDNN's) thread count on the calling thread.
int64_t engine_threads();
// Gives the calling thread's OpenMP teams ThreadPool::global()'s size. OpenMP keeps the
// thread count per thread, so a forward run from a server thread calls this first.
void use_engine_threads();

// A float32 view of a matrix: element (i, j) at data[i * row_stride + j * col_stride].
struct MatrixView {
    const float* data;
    int64_t rows, cols, row_stride, col_stride;
};

// out (rows a.rows, cols b.cols, row stride out_stride) = scale · a · b, float32.
// Primitives are cached by shape and strides, so calling this per head is cheap.
void strided_matmul(const MatrixView& a, const MatrixView& b, float scale, float* out,
                    int64_t out_stride);

}  // namespace remask
