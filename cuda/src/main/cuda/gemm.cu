// Batched strided GEMM: c (M, N) = a (M, K) · b (K, N) for each batch index z, whose offsets come from
// the batch Descs (equal shapes, one Desc per operand). Tiled in shared memory: a 256-thread block
// computes a 128x128 tile of c, each thread an 8x8 sub-tile (rows ty + 16 i, columns tx + 16 j), stepping
// K by 8. Any strides are allowed; tile loads follow whichever of an operand's strides is 1.
#include "common.cuh"

#define BM 128
#define BN 128
#define BK 8

template <typename T>
__device__ void gemm_body(int m, int n, int k, Desc ba, const T* a, int sam, int sak, Desc bb, const T* b, int sbk, int sbn,
                          Desc bc, T* c, int scm, int scn) {
    __shared__ T as[BK][BM];
    __shared__ T bs[BK][BN];
    const int tid = threadIdx.x, tx = tid & 15, ty = tid >> 4;
    const long long z = blockIdx.z;
    a += desc_offset(ba, z);
    b += desc_offset(bb, z);
    c += desc_offset(bc, z);
    const int m0 = blockIdx.y * BM, n0 = blockIdx.x * BN;
    T acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; i++)
#pragma unroll
        for (int j = 0; j < 8; j++) acc[i][j] = 0;
    const bool aColMajor = sam == 1 && sak != 1, bRowMajor = sbn == 1;
    for (int k0 = 0; k0 < k; k0 += BK) {
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int mm, kk;
            if (aColMajor) { mm = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { mm = (tid >> 3) + 32 * i; kk = tid & 7; }
            int gm = m0 + mm, gk = k0 + kk;
            as[kk][mm] = (gm < m && gk < k) ? a[(long long) gm * sam + (long long) gk * sak] : (T) 0;
        }
#pragma unroll
        for (int i = 0; i < 4; i++) {
            int kk, nn;
            if (bRowMajor) { nn = tid & 127; kk = (tid >> 7) + 2 * i; }
            else { kk = tid & 7; nn = (tid >> 3) + 32 * i; }
            int gk = k0 + kk, gn = n0 + nn;
            bs[kk][nn] = (gk < k && gn < n) ? b[(long long) gk * sbk + (long long) gn * sbn] : (T) 0;
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
                                                         Desc bb, const float* b, int sbk, int sbn, Desc bc, float* c, int scm, int scn) {
    gemm_body<float>(m, n, k, ba, a, sam, sak, bb, b, sbk, sbn, bc, c, scm, scn);
}

extern "C" __global__ void __launch_bounds__(256) gemm_d(int m, int n, int k, Desc ba, const double* a, int sam, int sak,
                                                         Desc bb, const double* b, int sbk, int sbn, Desc bc, double* c, int scm, int scn) {
    gemm_body<double>(m, n, k, ba, a, sam, sak, bb, b, sbk, sbn, bc, c, scm, scn);
}
