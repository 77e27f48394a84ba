// Top-k along the last axis of a contiguous float32 (rows, n): values and indices of the k largest (or smallest),
// best first, in the order of TopkReference.java: values by Double.compare (-0 below +0, NaN above +infinity, NaNs
// equal), equal values by lower index. One block per row; nothing of the row leaves the device.
//
// Each element gets an unsigned order key (larger = better). A radix select over the keys, 8 bits a pass from the
// top, finds T, the key of the k-th best element, and how many elements equal to T are needed (ties). A scan of
// the row in index order then collects the k winners as 64-bit candidates (key << 32 | 0xFFFFFFFF - index: larger
// = better, equal keys by lower index) into scratch: those above T in any order, the needed ties by lower index
// (a block-wide ordered count). Finally the k candidates are sorted, largest first (a bitonic sort in shared memory
// for k <= SORT_SHARED, else by rank: each candidate counts the larger ones), and values and indices written.
#include "common.cuh"

#define SORT_SHARED 2048

// Float.compare's order as an unsigned int (NaN canonical); inverted for the smallest.
__device__ __forceinline__ unsigned int order_key(float v, int largest) {
    int bits = v != v ? 0x7fc00000 : __float_as_int(v);
    int key = bits ^ ((bits >> 31) & 0x7fffffff);   // signed, ordered as Float.compare
    if (!largest) key = ~key;
    return (unsigned int) key ^ 0x80000000u;        // the same order, unsigned
}

__device__ __forceinline__ unsigned long long candidate(unsigned int key, int index) {
    return ((unsigned long long) key << 32) | (0xFFFFFFFFu - (unsigned int) index);
}

__device__ __forceinline__ int candidate_index(unsigned long long c) {
    return (int) (0xFFFFFFFFu - (unsigned int) (c & 0xFFFFFFFFull));
}

// x (rows, n) contiguous; scratch (rows, k) 64-bit; values (rows, k) float; indices (rows, k) int64.
// blockDim.x: a multiple of 32, at most 1024.
extern "C" __global__ void topk_f(const float* x, int n, int k, int largest, long long rows,
                                  unsigned long long* scratch, float* values, long long* indices) {
    __shared__ unsigned int hist[256];
    __shared__ unsigned int warpTies[32];
    __shared__ unsigned int sPrefix, sRemaining, sOut, sTies;
    __shared__ unsigned long long sorted[SORT_SHARED];
    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5, warps = blockDim.x >> 5;
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        const float* in = x + row * (long long) n;
        unsigned long long* cand = scratch + row * (long long) k;

        // 1. radix select: prefix/mask of T, and the number of elements equal to T still to take
        unsigned int prefix = 0, mask = 0, remaining = (unsigned int) k;
        for (int shift = 24; shift >= 0; shift -= 8) {
            for (int b = tid; b < 256; b += blockDim.x) hist[b] = 0;
            __syncthreads();
            for (int j = tid; j < n; j += blockDim.x) {
                unsigned int u = order_key(in[j], largest);
                if ((u & mask) == prefix) atomicAdd(&hist[(u >> shift) & 255u], 1u);
            }
            __syncthreads();
            if (tid == 0) { // the digit of T: the bin where the count from the top reaches `remaining`
                unsigned int above = 0;
                int b = 255;
                for (; b > 0; b--) {
                    if (above + hist[b] >= remaining) break;
                    above += hist[b];
                }
                sPrefix = prefix | ((unsigned int) b << shift);
                sRemaining = remaining - above;
            }
            __syncthreads();
            prefix = sPrefix;
            remaining = sRemaining;
            mask |= 255u << shift;
        }
        const unsigned int t = prefix; // T; `remaining` elements equal to T are taken, the lowest indices

        // 2. collect: above T in any order; ties by lower index (ordered count over the row)
        if (tid == 0) { sOut = 0; sTies = 0; }
        __syncthreads();
        for (int base = 0; base < n; base += blockDim.x) {
            int j = base + tid;
            unsigned int u = j < n ? order_key(in[j], largest) : 0u;
            bool tie = j < n && u == t;
            if (j < n && u > t) cand[atomicAdd(&sOut, 1u)] = candidate(u, j);
            unsigned int ballot = __ballot_sync(0xffffffffu, tie);
            if (lane == 0) warpTies[warp] = __popc(ballot);
            __syncthreads();
            unsigned int rank = sTies + __popc(ballot & ((1u << lane) - 1u)), total = 0;
            for (int w = 0; w < warps; w++) {
                if (w < warp) rank += warpTies[w];
                total += warpTies[w];
            }
            if (tie && rank < remaining) cand[atomicAdd(&sOut, 1u)] = candidate(u, j);
            __syncthreads();
            if (tid == 0) sTies += total;
            __syncthreads();
            if (sTies >= remaining && base + (int) blockDim.x < n) { // ties done: the rest only adds elements above T
                for (int jj = base + blockDim.x + tid; jj < n; jj += blockDim.x) {
                    unsigned int uu = order_key(in[jj], largest);
                    if (uu > t) cand[atomicAdd(&sOut, 1u)] = candidate(uu, jj);
                }
                break;
            }
        }
        __syncthreads();

        // 3. sort the k candidates, largest first, and write values and indices
        float* outValues = values + row * (long long) k;
        long long* outIndices = indices + row * (long long) k;
        if (k <= SORT_SHARED) {
            int size = 1;
            while (size < k) size <<= 1;
            for (int i = tid; i < size; i += blockDim.x) sorted[i] = i < k ? cand[i] : 0ull; // 0: below every candidate
            __syncthreads();
            for (int span = 2; span <= size; span <<= 1) {
                for (int stride = span >> 1; stride > 0; stride >>= 1) {
                    for (int i = tid; i < size; i += blockDim.x) {
                        int partner = i ^ stride;
                        if (partner > i) {
                            unsigned long long a = sorted[i], b = sorted[partner];
                            bool descending = (i & span) == 0;
                            if (descending ? a < b : a > b) { sorted[i] = b; sorted[partner] = a; }
                        }
                    }
                    __syncthreads();
                }
            }
            for (int r = tid; r < k; r += blockDim.x) {
                int j = candidate_index(sorted[r]);
                outValues[r] = in[j];
                outIndices[r] = j;
            }
        } else {
            for (int i = tid; i < k; i += blockDim.x) { // candidates are distinct: the count of larger ones is the place
                unsigned long long c = cand[i];
                int place = 0;
                for (int m = 0; m < k; m++) place += cand[m] > c ? 1 : 0;
                int j = candidate_index(c);
                outValues[place] = in[j];
                outIndices[place] = j;
            }
        }
        __syncthreads(); // the shared state is reused by the block's next row
    }
}
