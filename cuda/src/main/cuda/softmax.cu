// Softmax and log-softmax along one axis and their backward: one block per row. The host passes each
// operand as a Desc over the rows (the axis removed) plus the stride along the axis.
#include "common.cuh"

template <typename C>
__device__ void softmax_body(const Desc& rx, const void* x, int dtx, int sx, const Desc& ro, void* out, int dto, int so,
                             int n, int isLog, long long rows) {
    __shared__ double scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long bx = desc_offset(rx, r), bo = desc_offset(ro, r);
        double mx = -__longlong_as_double(0x7ff0000000000000LL);
        for (int j = threadIdx.x; j < n; j += blockDim.x) mx = fmax(mx, load_d(x, dtx, bx + (long long) j * sx));
        mx = block_reduce(1, mx, scratch);
        double sum = 0;
        for (int j = threadIdx.x; j < n; j += blockDim.x) sum += (double) exp((C) (load_d(x, dtx, bx + (long long) j * sx) - mx));
        sum = block_reduce(0, sum, scratch);
        C logSum = (C) log(sum), inv = (C) (1.0 / sum);
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            C z = (C) (load_d(x, dtx, bx + (long long) j * sx) - mx);
            store_as<C>(out, dto, bo + (long long) j * so, isLog ? z - logSum : (C) exp(z) * inv);
        }
    }
}

extern "C" __global__ void softmax_f(Desc rx, const void* x, int dtx, int sx, Desc ro, void* out, int dto, int so, int n, int isLog, long long rows) {
    softmax_body<float>(rx, x, dtx, sx, ro, out, dto, so, n, isLog, rows);
}

extern "C" __global__ void softmax_d(Desc rx, const void* x, int dtx, int sx, Desc ro, void* out, int dto, int so, int n, int isLog, long long rows) {
    softmax_body<double>(rx, x, dtx, sx, ro, out, dto, so, n, isLog, rows);
}

// softmax: dx = y (g - sum g y); log-softmax: dx = g - exp(y) sum g. C as softmax_body; the sum in double.
template <typename C>
__device__ void softmax_backward_body(const Desc& ry, const void* y, int dty, int sy, const Desc& rg, const void* g, int dtg, int sg,
                                      const Desc& rd, void* dx, int dtd, int sd, int n, int isLog, long long rows) {
    __shared__ double scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long by = desc_offset(ry, r), bg = desc_offset(rg, r), bd = desc_offset(rd, r);
        double dot = 0;
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            C gv = load_as<C>(g, dtg, bg + (long long) j * sg);
            dot += isLog ? gv : gv * load_as<C>(y, dty, by + (long long) j * sy);
        }
        C d = (C) block_reduce(0, dot, scratch);
        for (int j = threadIdx.x; j < n; j += blockDim.x) {
            C yv = load_as<C>(y, dty, by + (long long) j * sy), gv = load_as<C>(g, dtg, bg + (long long) j * sg);
            store_as<C>(dx, dtd, bd + (long long) j * sd, isLog ? gv - (C) exp(yv) * d : yv * (gv - d));
        }
    }
}

extern "C" __global__ void softmax_backward_f(Desc ry, const void* y, int dty, int sy, Desc rg, const void* g, int dtg, int sg,
                                              Desc rd, void* dx, int dtd, int sd, int n, int isLog, long long rows) {
    softmax_backward_body<float>(ry, y, dty, sy, rg, g, dtg, sg, rd, dx, dtd, sd, n, isLog, rows);
}

extern "C" __global__ void softmax_backward_d(Desc ry, const void* y, int dty, int sy, Desc rg, const void* g, int dtg, int sg,
                                              Desc rd, void* dx, int dtd, int sd, int n, int isLog, long long rows) {
    softmax_backward_body<double>(ry, y, dty, sy, rg, g, dtg, sg, rd, dx, dtd, sd, n, isLog, rows);
}
