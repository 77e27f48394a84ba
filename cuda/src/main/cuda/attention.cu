// Fused multi-head attention, flash-attention style, under SemAIM's order masks built on the fly (spec §3):
// no (B, 1, T, T) mask and no T x T scores in memory. The CPU reference of the same algorithm is
// dev.semaim.tensor.FlashAttentionReference; CudaFlashAttentionTest compares the two.
//
// Layout: q (B, Tq, D), k and v (B, Tk, D), any strides (q, k, v are usually slices of one packed qkv); head h
// owns features [h·HD, (h+1)·HD). lse (B, H, Tq) contiguous, in the compute type C. One thread owns one row (a
// query in the forward and in the dq pass, a key in the dk/dv pass) and keeps it in registers; the other operand
// streams through shared memory TILE rows at a time. Blocks: (row tiles, H, B), TILE threads each.
//
// Mask rule (OrderMask.visible in Java): key 0 (cls) is seen by every query; query 0 sees only key 0; patch
// query i sees patch key j iff pri[j-1] <= pri[i-1] (content stream) or pri[j-1] < pri[i-1] (strict, query
// stream). Priorities are compared as doubles (exact for float32 priorities). masked = 0: no mask.
//
// T is the element type, C the compute type: float for float32, bf16 and fp16 (whose tiles are widened to float in
// shared memory; lse in float), double for float64. HD is a template parameter so rows live in registers.
#include "common.cuh"
#include <cuda_bf16.h>
#include <cuda_fp16.h>

// Rows a block streams per step: 64, or 32 where two tiles of HD values would pass 32 KB of shared memory.
template <typename C, int HD> struct Tile { static const int ROWS = 2 * 64 * HD * (int) sizeof(C) <= 32768 ? 64 : 32; };

__device__ __forceinline__ bool order_visible(int i, int j, double pq, double pk, int strict) {
    if (j == 0) return true;
    if (i == 0) return false;
    return strict ? pk < pq : pk <= pq;
}

// The priority of token t of image b (token 0, cls, has none: 0).
__device__ __forceinline__ double token_priority(const void* pri, int dtp, int spb, int sps, int masked, int b, int t) {
    return masked && t > 0 ? load_d(pri, dtp, (long long) b * spb + (long long) (t - 1) * sps) : 0.0;
}

// One operand's view: element (b, t, f) at p[b·sb + t·st + f·sf].
struct View { int sb, st, sf; };

template <typename T>
__device__ __forceinline__ long long at(const View& v, int b, int t, int f) {
    return (long long) b * v.sb + (long long) t * v.st + (long long) f * v.sf;
}

// Loads rows [r0, r0 + ROWS) of head h of x into tile (zeros past n) and, with pri, their priorities into tp.
template <typename T, typename C, int HD, int ROWS>
__device__ __forceinline__ void load_tile(C (*tile)[HD], const T* x, View vx, int b, int h, int r0, int n) {
    for (int idx = threadIdx.x; idx < ROWS * HD; idx += blockDim.x) {
        int r = idx / HD, e = idx - r * HD;
        tile[r][e] = r0 + r < n ? (C) x[at<T>(vx, b, r0 + r, h * HD + e)] : (C) 0;
    }
}

// Forward: out_i = Σ_j softmax_j(scale·q_i·k_j | visible)·v_j and lse_i, the running max updated key by key
// (the reference updates it per key tile: the same online softmax, rounding aside).
template <typename T, typename C, int HD>
__device__ void flash_forward(const T* q, View vq, const T* k, View vk, const T* v, View vv, T* out, View vo, C* lse,
                              const void* pri, int dtp, int spb, int sps, int masked, int strict, int heads, int tq, int tk, C scale) {
    const int ROWS = Tile<C, HD>::ROWS;
    __shared__ C ks[ROWS][HD], vs[ROWS][HD];
    __shared__ double kp[ROWS];
    int b = blockIdx.z, h = blockIdx.y, i = blockIdx.x * ROWS + threadIdx.x;
    bool row = i < tq;
    C qr[HD], acc[HD];
    double pq = 0;
#pragma unroll
    for (int e = 0; e < HD; e++) {
        qr[e] = row ? (C) q[at<T>(vq, b, i, h * HD + e)] * scale : (C) 0;
        acc[e] = 0;
    }
    if (row) pq = token_priority(pri, dtp, spb, sps, masked, b, i);
    C m = -INFINITY, l = 0;
    for (int j0 = 0; j0 < tk; j0 += ROWS) {
        __syncthreads();  // the previous tile is no longer read
        load_tile<T, C, HD, ROWS>(ks, k, vk, b, h, j0, tk);
        load_tile<T, C, HD, ROWS>(vs, v, vv, b, h, j0, tk);
        for (int r = threadIdx.x; r < ROWS; r += blockDim.x) kp[r] = j0 + r < tk ? token_priority(pri, dtp, spb, sps, masked, b, j0 + r) : 0.0;
        __syncthreads();
        if (!row) continue;
        int nj = min(ROWS, tk - j0);
        for (int j = 0; j < nj; j++) {
            if (masked && !order_visible(i, j0 + j, pq, kp[j], strict)) continue;
            C s = 0;
#pragma unroll
            for (int e = 0; e < HD; e++) s += qr[e] * ks[j][e];
            if (s > m) {  // a new running max: rescale what was summed under the old one
                C corr = exp(m - s);
                l *= corr;
#pragma unroll
                for (int e = 0; e < HD; e++) acc[e] *= corr;
                m = s;
            }
            C p = exp(s - m);
            l += p;
#pragma unroll
            for (int e = 0; e < HD; e++) acc[e] += p * vs[j][e];
        }
    }
    if (!row) return;
    C inv = (C) 1 / l;
#pragma unroll
    for (int e = 0; e < HD; e++) out[at<T>(vo, b, i, h * HD + e)] = (T) (acc[e] * inv);
    lse[((long long) b * heads + h) * tq + i] = m + log(l);
}

// Backward, pass 1 (query rows): Δ_i = Σ_e dOut_i·out_i (kept for pass 2) and dq_i = scale·Σ_j p_ij (dp_ij − Δ_i) k_j
// with p_ij = exp(scale·q_i·k_j − lse_i) and dp_ij = dOut_i·v_j recomputed per key tile.
template <typename T, typename C, int HD>
__device__ void flash_backward_dq(const T* g, View vg, const T* q, View vq, const T* k, View vk, const T* v, View vv, const T* out, View vo,
                                  const C* lse, C* delta, T* dq, View vdq, const void* pri, int dtp, int spb, int sps, int masked, int strict,
                                  int heads, int tq, int tk, C scale) {
    const int ROWS = Tile<C, HD>::ROWS;
    __shared__ C ks[ROWS][HD], vs[ROWS][HD];
    __shared__ double kp[ROWS];
    int b = blockIdx.z, h = blockIdx.y, i = blockIdx.x * ROWS + threadIdx.x;
    bool row = i < tq;
    C qr[HD], gr[HD], acc[HD];
    C d = 0, rowLse = 0;
    double pq = 0;
#pragma unroll
    for (int e = 0; e < HD; e++) {
        qr[e] = row ? (C) q[at<T>(vq, b, i, h * HD + e)] * scale : (C) 0;
        gr[e] = row ? (C) g[at<T>(vg, b, i, h * HD + e)] : (C) 0;
        if (row) d += gr[e] * (C) out[at<T>(vo, b, i, h * HD + e)];
        acc[e] = 0;
    }
    long long li = ((long long) b * heads + h) * tq + i;
    if (row) {
        rowLse = lse[li];
        delta[li] = d;
        pq = token_priority(pri, dtp, spb, sps, masked, b, i);
    }
    for (int j0 = 0; j0 < tk; j0 += ROWS) {
        __syncthreads();
        load_tile<T, C, HD, ROWS>(ks, k, vk, b, h, j0, tk);
        load_tile<T, C, HD, ROWS>(vs, v, vv, b, h, j0, tk);
        for (int r = threadIdx.x; r < ROWS; r += blockDim.x) kp[r] = j0 + r < tk ? token_priority(pri, dtp, spb, sps, masked, b, j0 + r) : 0.0;
        __syncthreads();
        if (!row) continue;
        int nj = min(ROWS, tk - j0);
        for (int j = 0; j < nj; j++) {
            if (masked && !order_visible(i, j0 + j, pq, kp[j], strict)) continue;
            C s = 0, dp = 0;
#pragma unroll
            for (int e = 0; e < HD; e++) {
                s += qr[e] * ks[j][e];
                dp += gr[e] * vs[j][e];
            }
            C ds = exp(s - rowLse) * (dp - d) * scale;
#pragma unroll
            for (int e = 0; e < HD; e++) acc[e] += ds * ks[j][e];
        }
    }
    if (!row) return;
#pragma unroll
    for (int e = 0; e < HD; e++) dq[at<T>(vdq, b, i, h * HD + e)] = (T) acc[e];
}

// Backward, pass 2 (key rows): dv_j = Σ_i p_ij dOut_i and dk_j = scale·Σ_i p_ij (dp_ij − Δ_i) q_i, query tiles streamed.
template <typename T, typename C, int HD>
__device__ void flash_backward_dkdv(const T* g, View vg, const T* q, View vq, const T* k, View vk, const T* v, View vv,
                                    const C* lse, const C* delta, T* dk, View vdk, T* dv, View vdv, const void* pri, int dtp, int spb, int sps,
                                    int masked, int strict, int heads, int tq, int tk, C scale) {
    const int ROWS = Tile<C, HD>::ROWS;
    __shared__ C qs[ROWS][HD], gs[ROWS][HD];
    __shared__ C ls[ROWS], ds_[ROWS];
    __shared__ double qp[ROWS];
    int b = blockIdx.z, h = blockIdx.y, j = blockIdx.x * ROWS + threadIdx.x;
    bool row = j < tk;
    C kr[HD], vr[HD], dkr[HD], dvr[HD];
    double pk = 0;
#pragma unroll
    for (int e = 0; e < HD; e++) {
        kr[e] = row ? (C) k[at<T>(vk, b, j, h * HD + e)] : (C) 0;
        vr[e] = row ? (C) v[at<T>(vv, b, j, h * HD + e)] : (C) 0;
        dkr[e] = 0;
        dvr[e] = 0;
    }
    if (row) pk = token_priority(pri, dtp, spb, sps, masked, b, j);
    for (int i0 = 0; i0 < tq; i0 += ROWS) {
        __syncthreads();
        load_tile<T, C, HD, ROWS>(qs, q, vq, b, h, i0, tq);
        load_tile<T, C, HD, ROWS>(gs, g, vg, b, h, i0, tq);
        for (int r = threadIdx.x; r < ROWS; r += blockDim.x) {
            long long li = ((long long) b * heads + h) * tq + i0 + r;
            bool in = i0 + r < tq;
            ls[r] = in ? lse[li] : (C) 0;
            ds_[r] = in ? delta[li] : (C) 0;
            qp[r] = in ? token_priority(pri, dtp, spb, sps, masked, b, i0 + r) : 0.0;
        }
        __syncthreads();
        if (!row) continue;
        int ni = min(ROWS, tq - i0);
        for (int i = 0; i < ni; i++) {
            if (masked && !order_visible(i0 + i, j, qp[i], pk, strict)) continue;
            C s = 0, dp = 0;
#pragma unroll
            for (int e = 0; e < HD; e++) {
                s += qs[i][e] * kr[e];
                dp += gs[i][e] * vr[e];
            }
            C p = exp(s * scale - ls[i]);
            C dsc = p * (dp - ds_[i]) * scale;
#pragma unroll
            for (int e = 0; e < HD; e++) {
                dvr[e] += p * gs[i][e];
                dkr[e] += dsc * qs[i][e];
            }
        }
    }
    if (!row) return;
#pragma unroll
    for (int e = 0; e < HD; e++) {
        dk[at<T>(vdk, b, j, h * HD + e)] = (T) dkr[e];
        dv[at<T>(vdv, b, j, h * HD + e)] = (T) dvr[e];
    }
}

// Entry points flash_{forward,backward_dq,backward_dkdv}_{f,d,b,h}_hd{HD}: f = float32 (C float), d = float64
// (C double), b = bf16 and h = fp16 (C float; for the engine's BF16 and F16 dtypes).
#define FLASH_ENTRIES(SUFFIX, T, C, HD)                                                                                                 \
    extern "C" __global__ void flash_forward_##SUFFIX##_hd##HD(const T* q, View vq, const T* k, View vk, const T* v, View vv, T* out,      \
            View vo, C* lse, const void* pri, int dtp, int spb, int sps, int masked, int strict, int heads, int tq, int tk, C scale) {  \
        flash_forward<T, C, HD>(q, vq, k, vk, v, vv, out, vo, lse, pri, dtp, spb, sps, masked, strict, heads, tq, tk, scale);          \
    }                                                                                                                                   \
    extern "C" __global__ void flash_backward_dq_##SUFFIX##_hd##HD(const T* g, View vg, const T* q, View vq, const T* k, View vk,          \
            const T* v, View vv, const T* out, View vo, const C* lse, C* delta, T* dq, View vdq, const void* pri, int dtp, int spb,      \
            int sps, int masked, int strict, int heads, int tq, int tk, C scale) {                                                      \
        flash_backward_dq<T, C, HD>(g, vg, q, vq, k, vk, v, vv, out, vo, lse, delta, dq, vdq, pri, dtp, spb, sps, masked, strict,      \
                                    heads, tq, tk, scale);                                                                              \
    }                                                                                                                                   \
    extern "C" __global__ void flash_backward_dkdv_##SUFFIX##_hd##HD(const T* g, View vg, const T* q, View vq, const T* k, View vk,        \
            const T* v, View vv, const C* lse, const C* delta, T* dk, View vdk, T* dv, View vdv, const void* pri, int dtp, int spb,     \
            int sps, int masked, int strict, int heads, int tq, int tk, C scale) {                                                      \
        flash_backward_dkdv<T, C, HD>(g, vg, q, vq, k, vk, v, vv, lse, delta, dk, vdk, dv, vdv, pri, dtp, spb, sps, masked, strict,   \
                                      heads, tq, tk, scale);                                                                            \
    }

FLASH_ENTRIES(f, float, float, 16)
FLASH_ENTRIES(f, float, float, 32)
FLASH_ENTRIES(f, float, float, 64)
FLASH_ENTRIES(d, double, double, 16)
FLASH_ENTRIES(b, __nv_bfloat16, float, 64)
FLASH_ENTRIES(h, __half, float, 64)
