#include "kernels/cpu/onednn.h"

#include <omp.h>

#include <map>
#include <mutex>
#include <tuple>

#include "core/thread_pool.h"
#include "kernels/cpu/cpu_features.h"

namespace remask {

dnnl::engine& onednn_engine() {
    static dnnl::engine engine = [] {
        active_isa();  // caps oneDNN's ISA before its first primitive
        return dnnl::engine(dnnl::engine::kind::cpu, 0);
    }();
    return engine;
}

dnnl::stream& onednn_stream() {
    static dnnl::stream stream(onednn_engine());
    return stream;
}

int64_t engine_threads() { return omp_get_max_threads(); }

void use_engine_threads() {
    const int threads = static_cast<int>(ThreadPool::global().size());
    if (omp_get_max_threads() != threads) omp_set_num_threads(threads);
}

void strided_matmul(const MatrixView& a, const MatrixView& b, float scale, float* out,
                    int64_t out_stride) {
    using dims = dnnl::memory::dims;
    using dt = dnnl::memory::data_type;
    using Key = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, float>;
    static std::mutex mutex;
    static std::map<Key, dnnl::matmul> cache;

    const dnnl::memory::desc a_md(dims{a.rows, a.cols}, dt::f32, dims{a.row_stride, a.col_stride});
    const dnnl::memory::desc b_md(dims{b.rows, b.cols}, dt::f32, dims{b.row_stride, b.col_stride});
    const dnnl::memory::desc c_md(dims{a.rows, b.cols}, dt::f32, dims{out_stride, 1});
    const Key key{a.rows, a.cols, b.cols, a.row_stride, a.col_stride, b.row_stride, b.col_stride, out_stride, scale};
    dnnl::matmul primitive;
    {
        std::lock_guard<std::mutex> lock(mutex);
        auto found = cache.find(key);
        if (found == cache.end()) {
            // Decoding with a KV cache makes a new key length every token: stay bounded.
            if (cache.size() >= 256) cache.clear();
            dnnl::primitive_attr attr;
            if (scale != 1.0f) attr.set_output_scales(0, {scale});
            dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), attr, onednn_engine());
            found = cache.emplace(key, dnnl::matmul(pd)).first;
        }
        primitive = found->second;
    }
    auto& engine = onednn_engine();
    dnnl::memory a_mem(a_md, engine, const_cast<float*>(a.data));
    dnnl::memory b_mem(b_md, engine, const_cast<float*>(b.data));
    dnnl::memory c_mem(c_md, engine, out);
    primitive.execute(onednn_stream(), {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, c_mem}});
    onednn_stream().wait();
}

}  // namespace remask
