// Index kernels: indexSelect / indexAdd (1-D index along an axis) and gather / scatterAdd (index with
// the iteration shape). Every Desc here is uncoalesced (the true rank) because one axis is re-indexed.
// Iteration runs over Desc it's shape; other operands contribute their strides. An out-of-range index
// is recorded in g_index_error (first one wins) and the host raises it at its next synchronisation.
#include "common.cuh"

// {1 when set, the kernel's IX_ code (opcodes.cuh), bad index, axis size}
__device__ long long g_index_error[4];

// Both unrolled over MAX_RANK with constant indices, for the reason given at desc_offset.
__device__ __forceinline__ int coord_of(const Desc& it, long long li, int axis) {
    unsigned int i = (unsigned int) li;
    int c = 0;
#pragma unroll
    for (int a = MAX_RANK - 1; a >= 0; a--) {
        if (a < it.rank && a >= axis) {
            unsigned int s = (unsigned int) it.shape[a], q = i / s;
            if (a == axis) c = (int) (i - q * s);
            i = q;
        }
    }
    return c;
}

// Offset in operand t of the iteration element i, with the coordinate on axis replaced by repl (32-bit
// index arithmetic, as desc_offset).
__device__ __forceinline__ long long offset_with(const Desc& it, const Desc& t, long long li, int axis, long long repl) {
    unsigned int i = (unsigned int) li;
    long long off = t.offset;
#pragma unroll
    for (int a = MAX_RANK - 1; a >= 0; a--) {
        if (a < it.rank) {
            unsigned int s = (unsigned int) it.shape[a], q = i / s;
            off += (a == axis ? repl : (long long) (i - q * s)) * t.strides[a];
            i = q;
        }
    }
    return off;
}

__device__ __forceinline__ bool check_index(int op, long long v, int size) {
    if (v >= 0 && v < size) return true;
    if (atomicCAS((unsigned long long*) &g_index_error[0], 0ULL, 1ULL) == 0ULL) {
        g_index_error[1] = op;
        g_index_error[2] = v;
        g_index_error[3] = size;
    }
    return false;
}

__device__ __forceinline__ void atomic_add_as(void* p, int dt, long long k, double v) {
    switch (dt) {
        case DT_F32: atomicAdd((float*) p + k, (float) v); break;
        case DT_F64: atomicAdd((double*) p + k, v); break;
        case DT_I32: atomicAdd((int*) p + k, (int) v); break;
        default: atomicAdd((unsigned long long*) p + k, (unsigned long long) (long long) v); break;
    }
}

// out = x.indexSelect(axis, index); iteration over out.
extern "C" __global__ void index_select_k(Desc dout, void* out, Desc dx, const void* x, int dt, int axis, int axisSize,
                                          const void* index, int dti, int si, int io, long long n) {
    FOR_EACH(i, n) {
        int j = coord_of(dout, i, axis);
        long long src = load_index(index, dti, io + (long long) j * si);
        double v = 0;
        if (check_index(IX_INDEX_SELECT, src, axisSize)) v = load_d(x, dt, offset_with(dout, dx, i, axis, src));
        store_as<double>(out, dt, offset_with(dout, dout, i, -1, 0), v);
    }
}

// out[.., index[j], ..] += src[.., j, ..]; iteration over src.
extern "C" __global__ void index_add_k(Desc dsrc, const void* src, Desc dout, void* out, int dt, int axis, int axisSize,
                                       const void* index, int dti, int si, int io, long long n) {
    FOR_EACH(i, n) {
        int j = coord_of(dsrc, i, axis);
        long long dst = load_index(index, dti, io + (long long) j * si);
        if (check_index(IX_INDEX_ADD, dst, axisSize))
            atomic_add_as(out, dt, offset_with(dsrc, dout, i, axis, dst), load_d(src, dt, offset_with(dsrc, dsrc, i, -1, 0)));
    }
}

// out[i][j][k] = x[i][index[i][j][k]][k] (for axis 1); iteration over index (= out's shape).
extern "C" __global__ void gather_k(Desc didx, const void* index, int dti, Desc dx, const void* x, Desc dout, void* out, int dt,
                                    int axis, int axisSize, long long n) {
    FOR_EACH(i, n) {
        long long k = load_index(index, dti, offset_with(didx, didx, i, -1, 0));
        double v = 0;
        if (check_index(IX_GATHER, k, axisSize)) v = load_d(x, dt, offset_with(didx, dx, i, axis, k));
        store_as<double>(out, dt, offset_with(didx, dout, i, -1, 0), v);
    }
}

// out[i][index[i][j][k]][k] += src[i][j][k] (for axis 1); iteration over index, src read at the same place.
extern "C" __global__ void scatter_add_k(Desc didx, const void* index, int dti, Desc dsrc, const void* src, Desc dout, void* out, int dt,
                                         int axis, int axisSize, long long n) {
    FOR_EACH(i, n) {
        long long k = load_index(index, dti, offset_with(didx, didx, i, -1, 0));
        if (check_index(IX_SCATTER_ADD, k, axisSize))
            atomic_add_as(out, dt, offset_with(didx, dout, i, axis, k), load_d(src, dt, offset_with(didx, dsrc, i, -1, 0)));
    }
}
