// Batched strided GEMM: c (M, N) = a (M, K) · b (K, N) for each batch index z, whose offsets come from
// the batch Descs (equal shapes, one Desc per operand). Tiled in shared memory: a 256-thread block
// computes a 128x128 tile of c, each thread an 8x8 sub-tile (rows ty + 16 i, columns tx + 16 j), stepping
// K by 8. Any strides are allowed; tile loads follow whichever of an operand's strides is 1.
// gemm_f and gemm_d compute in the operands' precision; gemm_tf32 (at the end) uses tensor cores.
// Split-K (splitK = 1, for one large-K product with few output tiles): blockIdx.z is the K chunk
// [z kChunk, (z+1) kChunk) instead of a batch index, a's and b's Descs are rank 0, and c's Desc places
// chunk z's partial product in a (chunks, M, N) scratch that the host then sums.
#include "common.cuh"
#include <mma.h>

#define BM 128
#define BN 128
#define BK 8

template <typename T>
__device__ void gemm_body(int m, int n, int k, Desc ba, const T* a, int sam, int sak, Desc bb, const T* b, int sbk, int sbn,
                          Desc bc, T* c, int scm, int scn, int splitK, int kChunk) {
    __shared__ T as[BK][BM];
    __shared__ T bs[BK][BN];
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
    for (int k0 = kBegin; k0 < kEnd; k0 += BK) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int mm, kk;
            if (aColMajor) { mm = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { mm = (tid >> 3) + 32 * i; kk = tid & 7; }
            int gm = m0 + mm, gk = k0 + kk;
            as[kk][mm] = (gm < m && gk < kEnd) ? a[(long long) gm * sam + (long long) gk * sak] : (T) 0;
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int kk, nn;
            if (bRowMajor) { nn = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { kk = tid & 7; nn = (tid >> 3) + 32 * i; }
            int gk = k0 + kk, gn = n0 + nn;
            bs[kk][nn] = (gk < kEnd && gn < n) ? b[(long long) gk * sbk + (long long) gn * sbn] : (T) 0;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            T ra[8], rb[8];
#pragma unroll
            for (int i = 0; i < 8; i++) ra[i] = as[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 8; j++) rb[j] = bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 8; i++)
#pragma unroll
                for (int j = 0; j < 8; j++) acc[i][j] += ra[i] * rb[j];
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < 8; i++) {
        int gm = m0 + ty + 16 * i;
        if (gm >= m) continue;
#pragma unroll
        for (int j = 0; j < 8; j++) {
            int gn = n0 + tx + 16 * j;
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

// TF32 tensor-core variant (opt-in, like PyTorch's allow_tf32): the same 128x128 block tile and operand
// loads, K stepped by 16, operands rounded to TF32 as they enter shared memory; 8 warps in a 2x4 grid,
// each computing 64x32 of c as 4x2 WMMA 16x16x8 fragments with float accumulation.

#define TK 16
#define APAD 4  // row padding in floats: keeps WMMA's 16-byte ldm rule and 32-byte fragment alignment

extern "C" __global__ void __launch_bounds__(256) gemm_tf32(int m, int n, int k, Desc ba, const float* a, int sam, int sak,
                                                            Desc bb, const float* b, int sbk, int sbn, Desc bc, float* c, int scm, int scn,
                                                            int splitK, int kChunk) {
    using namespace nvcuda;
    __shared__ __align__(32) float as[BM][TK + APAD];
    __shared__ __align__(32) float bs[TK][BN + APAD];
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
    for (int k0 = kBegin; k0 < kEnd; k0 += TK) {
#pragma unroll
        for (int i = 0; i < 8; i++) {
            int mm, kk;
            if (aColMajor) { mm = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { mm = (tid >> 4) + 16 * i; kk = tid & 15; }
            int gm = m0 + mm, gk = k0 + kk;
            as[mm][kk] = wmma::__float_to_tf32((gm < m && gk < kEnd) ? a[(long long) gm * sam + (long long) gk * sak] : 0.0f);
        }
#pragma unroll
        for (int i = 0; i < 8; i++) {
            int kk, nn;
            if (bRowMajor) { nn = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { kk = tid & 15; nn = (tid >> 4) + 16 * i; }
            int gk = k0 + kk, gn = n0 + nn;
            bs[kk][nn] = wmma::__float_to_tf32((gk < kEnd && gn < n) ? b[(long long) gk * sbk + (long long) gn * sbn] : 0.0f);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa[4];
            wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb[2];
#pragma unroll
            for (int i = 0; i < 4; i++) wmma::load_matrix_sync(fa[i], &as[wr * 64 + i * 16][kk], TK + APAD);
#pragma unroll
            for (int j = 0; j < 2; j++) wmma::load_matrix_sync(fb[j], &bs[kk][wc * 32 + j * 16], BN + APAD);
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 2; j++) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
        }
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
