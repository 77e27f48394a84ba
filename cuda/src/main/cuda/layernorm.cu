// LayerNorm over the last axis (one block per row) and its backward. Rows are Descs over x without
// the last axis; w and b are 1-D with strides sw, sb (null pointers when absent). Statistics in double.
#include "common.cuh"

extern "C" __global__ void layer_norm_k(Desc rx, const void* x, int sx, Desc ro, void* out, int so,
                                        const void* w, int sw, const void* b, int sb,
                                        Desc rm, void* mean, Desc rr, void* rstd, int dt, double eps, int d, long long rows) {
    __shared__ double scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long bx = desc_offset(rx, r), bo = desc_offset(ro, r);
        double s = 0;
        for (int j = threadIdx.x; j < d; j += blockDim.x) s += load_d(x, dt, bx + (long long) j * sx);
        double mu = block_reduce(0, s, scratch) / d;
        double v = 0;
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            double c = load_d(x, dt, bx + (long long) j * sx) - mu;
            v += c * c;
        }
        double inv = 1.0 / sqrt(block_reduce(0, v, scratch) / d + eps);
        if (threadIdx.x == 0) {
            store_as<double>(mean, dt, desc_offset(rm, r), mu);
            store_as<double>(rstd, dt, desc_offset(rr, r), inv);
        }
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            double y = (load_d(x, dt, bx + (long long) j * sx) - mu) * inv;
            if (w) y *= load_d(w, dt, (long long) j * sw);
            if (b) y += load_d(b, dt, (long long) j * sb);
            store_as<double>(out, dt, bo + (long long) j * so, y);
        }
    }
}

// dx = rstd (gh - mean(gh) - xhat mean(gh xhat)) with gh = g w, xhat = (x - mean) rstd.
extern "C" __global__ void layer_norm_backward_k(Desc rg, const void* g, int sg, Desc rx, const void* x, int sx,
                                                 const void* w, int sw, Desc rm, const void* mean, Desc rr, const void* rstd,
                                                 Desc rd, void* dx, int sd, int dt, int d, long long rows) {
    __shared__ double scratch[32];
    for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
        long long bg = desc_offset(rg, r), bx = desc_offset(rx, r), bd = desc_offset(rd, r);
        double mu = load_d(mean, dt, desc_offset(rm, r)), inv = load_d(rstd, dt, desc_offset(rr, r));
        double sumG = 0, sumGX = 0;
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            double xh = (load_d(x, dt, bx + (long long) j * sx) - mu) * inv;
            double gh = load_d(g, dt, bg + (long long) j * sg) * (w ? load_d(w, dt, (long long) j * sw) : 1.0);
            sumG += gh;
            sumGX += gh * xh;
        }
        sumG = block_reduce(0, sumG, scratch);
        sumGX = block_reduce(0, sumGX, scratch);
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            double xh = (load_d(x, dt, bx + (long long) j * sx) - mu) * inv;
            double gh = load_d(g, dt, bg + (long long) j * sg) * (w ? load_d(w, dt, (long long) j * sw) : 1.0);
            store_as<double>(dx, dt, bd + (long long) j * sd, inv * (gh - sumG / d - xh * sumGX / d));
        }
    }
}

// Partial sums of dw = sum g xhat and db = sum g over a chunk of rows: block (32, 8) covers 32 columns,
// blockIdx.y a chunk; partial is (chunks, 2, d) doubles, reduced over chunks by the host's reduce launch.
extern "C" __global__ void layer_norm_wb_partial_k(Desc rg, const void* g, int sg, Desc rx, const void* x, int sx,
                                                   Desc rm, const void* mean, Desc rr, const void* rstd, int dt, int d,
                                                   long long rows, long long rowsPerChunk, double* partial) {
    __shared__ double pw[8][33], pb[8][33];
    int j = blockIdx.x * 32 + threadIdx.x;
    long long r0 = blockIdx.y * rowsPerChunk, r1 = min(rows, r0 + rowsPerChunk);
    double aw = 0, ab = 0;
    if (j < d) {
        for (long long r = r0 + threadIdx.y; r < r1; r += 8) {
            double gv = load_d(g, dt, desc_offset(rg, r) + (long long) j * sg);
            double xh = (load_d(x, dt, desc_offset(rx, r) + (long long) j * sx) - load_d(mean, dt, desc_offset(rm, r)))
                        * load_d(rstd, dt, desc_offset(rr, r));
            aw += gv * xh;
            ab += gv;
        }
    }
    pw[threadIdx.y][threadIdx.x] = aw;
    pb[threadIdx.y][threadIdx.x] = ab;
    __syncthreads();
    if (threadIdx.y == 0 && j < d) {
        for (int y = 1; y < 8; y++) { aw += pw[y][threadIdx.x]; ab += pb[y][threadIdx.x]; }
        partial[(blockIdx.y * 2LL) * d + j] = aw;
        partial[(blockIdx.y * 2LL + 1) * d + j] = ab;
    }
}
