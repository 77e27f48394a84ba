// Batched strided GEMM: c (M, N) = a (M, K) · b (K, N) for each batch index z, whose offsets come from
// the batch Descs (equal shapes, one Desc per operand). Tiled in shared memory: a 256-thread block
// computes a 128x128 tile of c, each thread an 8x8 sub-tile (rows 4 ty + {0..3} and 64 + 4 ty + {0..3},
// columns likewise with tx, so shared-memory reads are 16-byte vectors), stepping K by 8; the next K tile
// is loaded into registers during the current one's products and stored into the second of two
// shared-memory stages. Any strides are allowed; tile loads follow
// whichever of an operand's strides is 1.
// gemm_f and gemm_d compute in the operands' precision; gemm_tf32 (at the end) uses tensor cores.
// Split-K (splitK = 1, for one large-K product with few output tiles): blockIdx.z is the K chunk
// [z kChunk, (z+1) kChunk) instead of a batch index, a's and b's Descs are rank 0, and c's Desc places
// chunk z's partial product in a (chunks, M, N) scratch that the host then sums.
#include "common.cuh"
#include <mma.h>

#define BM 128
#define BN 128
#define BK 8

// Four consecutive shared-memory elements (16-byte aligned) into registers, as vector loads.
__device__ __forceinline__ void load4(const float* p, float* r) {
    float4 v = *reinterpret_cast<const float4*>(p);
    r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
}

__device__ __forceinline__ void load4(const double* p, double* r) {
    double2 v = *reinterpret_cast<const double2*>(p), w = *reinterpret_cast<const double2*>(p + 2);
    r[0] = v.x; r[1] = v.y; r[2] = w.x; r[3] = w.y;
}

// Row (or column) of sub-tile slot i of thread t (ty or tx).
__device__ __forceinline__ int slot(int t, int i) {
    return (i < 4 ? 0 : 60) + 4 * t + i;
}

template <typename T>
__device__ void gemm_body(int m, int n, int k, Desc ba, const T* a, int sam, int sak, Desc bb, const T* b, int sbk, int sbn,
                          Desc bc, T* c, int scm, int scn, int splitK, int kChunk) {
    __shared__ __align__(16) T as[2][BK][BM];
    __shared__ __align__(16) T bs[2][BK][BN];
    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    const long long z = blockIdx.z;
    a += desc_offset(ba, z);
    b += desc_offset(bb, z);
    c += desc_offset(bc, z);
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int kBegin = splitK ? (int) z * kChunk : 0, kEnd = splitK ? min(k, kBegin + kChunk) : k;
    T acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0;
    const bool aColMajor = sam == 1 && sak != 1, bRowMajor = sbn == 1;
    // the next K tile is fetched into registers while the current one is multiplied from shared memory
    T pa[4], pb[4];
    auto fetch = [&](int k0) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int mm, kk;
            if (aColMajor) { mm = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { mm = (tid >> 3) + 32 * i; kk = tid & 7; }
            int gm = m0 + mm, gk = k0 + kk;
            pa[i] = (gm < m && gk < kEnd) ? a[(long long) gm * sam + (long long) gk * sak] : (T) 0;
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int kk, nn;
            if (bRowMajor) { nn = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { kk = tid & 7; nn = (tid >> 3) + 32 * i; }
            int gk = k0 + kk, gn = n0 + nn;
            pb[i] = (gk < kEnd && gn < n) ? b[(long long) gk * sbk + (long long) gn * sbn] : (T) 0;
        }
    };
    auto store = [&](int buf) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            if (aColMajor) as[buf][(tid >> 7) + 2 * i][tid & 127] = pa[i];
            else as[buf][tid & 7][(tid >> 3) + 32 * i] = pa[i];
            if (bRowMajor) bs[buf][(tid >> 7) + 2 * i][tid & 127] = pb[i];
            else bs[buf][tid & 7][(tid >> 3) + 32 * i] = pb[i];
        }
    };
    // two shared-memory stages: tile t+1 is stored while tile t is read, one barrier per K step
    if (kBegin < kEnd) {
        fetch(kBegin);
        store(0);
    }
    __syncthreads();
    for (int k0 = kBegin, buf = 0; k0 < kEnd; k0 += BK, buf ^= 1) {
        const bool more = k0 + BK < kEnd;
        if (more) fetch(k0 + BK);
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            T ra[8], rb[8];
            load4(&as[buf][kk][4 * ty], ra);
            load4(&as[buf][kk][64 + 4 * ty], ra + 4);
            load4(&bs[buf][kk][4 * tx], rb);
            load4(&bs[buf][kk][64 + 4 * tx], rb + 4);
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] += ra[i] * rb[j];
        }
        if (more) store(buf ^ 1);
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int gm = m0 + slot(ty, i);
        if (gm >= m) continue;
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int gn = n0 + slot(tx, j);
            if (gn < n) c[(long long) gm * scm + (long long) gn * scn] = acc[i][j];
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) gemm_f(int m, int n, int k, Desc ba, const float* a, int sam, int sak,
                                                         Desc bb, const float* b, int sbk, int sbn, Desc bc, float* c, int scm, int scn,
                                                         int splitK, int kChunk) {
    gemm_body<float>(m, n, k, ba, a, sam, sak, bb, b, sbk, sbn, bc, c, scm, scn, splitK, kChunk);
}

extern "C" __global__ void __launch_bounds__(256) gemm_d(int m, int n, int k, Desc ba, const double* a, int sam, int sak,
                                                         Desc bb, const double* b, int sbk, int sbn, Desc bc, double* c, int scm, int scn,
                                                         int splitK, int kChunk) {
    gemm_body<double>(m, n, k, ba, a, sam, sak, bb, b, sbk, sbn, bc, c, scm, scn, splitK, kChunk);
}

// TF32 tensor-core variant (opt-in, like PyTorch's allow_tf32): the same 128x128 block tile, operand
// loads, register prefetch and two stages, K stepped by 16, operands rounded to TF32 as they enter shared memory; 8 warps in a 2x4 grid,
// each computing 64x32 of c as 4x2 WMMA 16x16x8 fragments with float accumulation. Bounded to 128
// registers so two blocks share an SM (a few bytes spill), hiding more of the global-load latency.

#define TK 16
#define APAD 4  // row padding in floats: keeps WMMA's 16-byte ldm rule and 32-byte fragment alignment

extern "C" __global__ void __launch_bounds__(256, 2) gemm_tf32(int m, int n, int k, Desc ba, const float* a, int sam, int sak,
                                                            Desc bb, const float* b, int sbk, int sbn, Desc bc, float* c, int scm, int scn,
                                                            int splitK, int kChunk) {
    using namespace nvcuda;
    __shared__ __align__(32) float as[2][BM][TK + APAD];
    __shared__ __align__(32) float bs[2][TK][BN + APAD];
    __shared__ __align__(32) float cs[8][16][16];
    const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31, wr = warp >> 2, wc = warp & 3;
    const long long z = blockIdx.z;
    a += desc_offset(ba, z);
    b += desc_offset(bb, z);
    c += desc_offset(bc, z);
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    const int kBegin = splitK ? (int) z * kChunk : 0, kEnd = splitK ? min(k, kBegin + kChunk) : k;
    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[4][2];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) wmma::fill_fragment(acc[i][j], 0.0f);
    const bool aColMajor = sam == 1 && sak != 1, bRowMajor = sbn == 1;
    float pa[8], pb[8];
    auto fetch = [&](int k0) {
#pragma unroll
        for (int i = 0; i < 8; i++) {
            int mm, kk;
            if (aColMajor) { mm = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { mm = (tid >> 4) + 16 * i; kk = tid & 15; }
            int gm = m0 + mm, gk = k0 + kk;
            pa[i] = (gm < m && gk < kEnd) ? a[(long long) gm * sam + (long long) gk * sak] : 0.0f;
        }
#pragma unroll
        for (int i = 0; i < 8; i++) {
            int kk, nn;
            if (bRowMajor) { nn = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { kk = tid & 15; nn = (tid >> 4) + 16 * i; }
            int gk = k0 + kk, gn = n0 + nn;
            pb[i] = (gk < kEnd && gn < n) ? b[(long long) gk * sbk + (long long) gn * sbn] : 0.0f;
        }
    };
    auto store = [&](int buf) {
#pragma unroll
        for (int i = 0; i < 8; i++) {
            if (aColMajor) as[buf][tid & 127][(tid >> 7) + 2 * i] = wmma::__float_to_tf32(pa[i]);
            else as[buf][(tid >> 4) + 16 * i][tid & 15] = wmma::__float_to_tf32(pa[i]);
            if (bRowMajor) bs[buf][(tid >> 7) + 2 * i][tid & 127] = wmma::__float_to_tf32(pb[i]);
            else bs[buf][tid & 15][(tid >> 4) + 16 * i] = wmma::__float_to_tf32(pb[i]);
        }
    };
    if (kBegin < kEnd) {
        fetch(kBegin);
        store(0);
    }
    __syncthreads();
    for (int k0 = kBegin, buf = 0; k0 < kEnd; k0 += TK, buf ^= 1) {
        const bool more = k0 + TK < kEnd;
        if (more) fetch(k0 + TK);
#pragma unroll
        for (int kk = 0; kk < TK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa[4];
            wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb[2];
#pragma unroll
            for (int i = 0; i < 4; i++) wmma::load_matrix_sync(fa[i], &as[buf][wr * 64 + i * 16][kk], TK + APAD);
#pragma unroll
            for (int j = 0; j < 2; j++) wmma::load_matrix_sync(fb[j], &bs[buf][kk][wc * 32 + j * 16], BN + APAD);
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
        }
        if (more) store(buf ^ 1);
        __syncthreads();
    }
    // through a per-warp 16x16 staging tile, so edges and any output strides are handled per element
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 2; j++) {
            wmma::store_matrix_sync(&cs[warp][0][0], acc[i][j], 16, wmma::mem_row_major);
            __syncwarp();
            for (int e = lane; e < 256; e += 32) {
                int gm = m0 + wr * 64 + i * 16 + (e >> 4), gn = n0 + wc * 32 + j * 16 + (e & 15);
                if (gm < m && gn < n) c[(long long) gm * scm + (long long) gn * scn] = cs[warp][e >> 4][e & 15];
            }
            __syncwarp();
        }
}
