// Reductions. The host splits x's axes into kept ones (Desc kept, the output's shape) and reduced ones
// (Desc red, offset 0), so x element (o, r) sits at kept(o) + red(r). op: R_SUM, R_MAX, R_MIN of
// opcodes.cuh; accumulation is in double, NaN propagates through MAX and MIN as in ReduceOp.combine.
#include "common.cuh"

__device__ __forceinline__ double identity_op(int op) {
    return op == R_SUM ? 0.0 : (op == R_MAX ? -__longlong_as_double(0x7ff0000000000000LL) : __longlong_as_double(0x7ff0000000000000LL));
}

// One block per output element and chunk of rowsPerChunk reduced elements (blockIdx.y); threads stride
// over the chunk (suits a contiguous reduced run). Output index = chunk * outer + o, as reduce_cols_k.
extern "C" __global__ void reduce_rows_k(int op, Desc kept, Desc red, const void* x, int dtx,
                                         Desc dout, void* out, int dto, long long outer, long long r, long long rowsPerChunk) {
    __shared__ double scratch[32];
    long long r0 = blockIdx.y * rowsPerChunk, r1 = min(r, r0 + rowsPerChunk);
    for (long long o = blockIdx.x; o < outer; o += gridDim.x) {
        long long base = desc_offset(kept, o);
        double acc = identity_op(op);
        for (long long j = r0 + threadIdx.x; j < r1; j += blockDim.x) acc = combine_op(op, acc, load_d(x, dtx, base + desc_offset(red, j)));
        acc = block_reduce(op, acc, scratch);
        if (threadIdx.x == 0) store_as<double>(out, dto, desc_offset(dout, blockIdx.y * outer + o), acc);
    }
}

// Column layout (kept axes innermost): block (32, 8) covers 32 consecutive outputs; blockIdx.y is a chunk
// of rowsPerChunk reduced elements. Output index = chunk * outer + o, so with several chunks dout is a
// (chunks, outer) double scratch that a second launch with one chunk reduces.
extern "C" __global__ void reduce_cols_k(int op, Desc kept, Desc red, const void* x, int dtx,
                                         Desc dout, void* out, int dto, long long outer, long long r, long long rowsPerChunk) {
    __shared__ double part[8][33];
    long long o = blockIdx.x * 32LL + threadIdx.x;
    long long r0 = blockIdx.y * rowsPerChunk, r1 = min(r, r0 + rowsPerChunk);
    double acc = identity_op(op);
    if (o < outer) {
        long long base = desc_offset(kept, o);
        for (long long j = r0 + threadIdx.y; j < r1; j += 8) acc = combine_op(op, acc, load_d(x, dtx, base + desc_offset(red, j)));
    }
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && o < outer) {
        for (int y = 1; y < 8; y++) acc = combine_op(op, acc, part[y][threadIdx.x]);
        store_as<double>(out, dto, desc_offset(dout, blockIdx.y * outer + o), acc);
    }
}

// Index of the max (or min) along a row of n elements with stride sx starting at rows(o); first wins
// ties, a NaN wins and stops the scan (as the CPU reference).
extern "C" __global__ void arg_reduce_k(int isMax, Desc rows, const void* x, int dtx, int sx, int n,
                                        Desc dout, long long* out, long long outer) {
    FOR_EACH(o, outer) {
        long long base = desc_offset(rows, o);
        int best = 0;
        double bv = load_d(x, dtx, base);
        for (int j = 1; j < n; j++) {
            if (bv != bv) break;
            double v = load_d(x, dtx, base + (long long) j * sx);
            if (v != v || (isMax ? v > bv : v < bv)) { bv = v; best = j; }
        }
        out[desc_offset(dout, o)] = best;
    }
}
