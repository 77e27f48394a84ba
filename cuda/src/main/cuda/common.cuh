// Shared device helpers for the kernels of dev.semaim.cuda.
// A tensor operand arrives as a Desc: its (coalesced) shape, strides and offset in elements, packed by
// TensorDesc.java as 18 ints, so the kernels can walk any strided view of rank <= 8.
#pragma once
#include <stdint.h>
#include "opcodes.cuh"

#define MAX_RANK 8

struct Desc {
    int rank;
    int offset;
    int shape[MAX_RANK];
    int strides[MAX_RANK];
};

// Storage offset (in elements) of the element with row-major linear index i. Element counts and storage
// offsets are below 2^31 (Shape.numel enforces it), so the index arithmetic is 32-bit: 64-bit division
// costs several times more on the GPU. The loop is unrolled over MAX_RANK so every shape[a] and
// strides[a] is a constant index: with a run-time index the compiler copies the whole Desc kernel
// parameter into each thread's local memory, which dominated the elementwise kernels.
__device__ __forceinline__ long long desc_offset(const Desc& d, long long li) {
    unsigned int i = (unsigned int) li;
    if (d.rank == 1) return d.offset + (int) i * d.strides[0];
    int off = d.offset;
#pragma unroll
    for (int a = MAX_RANK - 1; a >= 0; a--) {
        if (a < d.rank) {
            unsigned int s = (unsigned int) d.shape[a], q = i / s;
            off += (int) (i - q * s) * d.strides[a];
            i = q;
        }
    }
    return off;
}

// The 16-bit float types as bits, the arithmetic of dev.semaim.tensor.HalfFloats (HalfFloatsTest pins it to PyTorch):
// narrowing rounds to nearest even, overflows to infinity, keeps float16 subnormals; a NaN becomes bfloat16 0xffff
// and float16 0x7e00 with its sign. Widening is exact (a float16 NaN comes out quiet).
__device__ __forceinline__ float bf16_to_f(unsigned short h) { return __uint_as_float(((unsigned int) h) << 16); }

__device__ __forceinline__ unsigned short f_to_bf16(float f) {
    unsigned int x = __float_as_uint(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return 0xffffu;
    return (unsigned short) ((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

__device__ __forceinline__ float f16_to_f(unsigned short h) {
    unsigned int sign = ((unsigned int) h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
    if (e == 0x1fu) return __uint_as_float(sign | (m ? 0x7fc00000u : 0x7f800000u) | (m << 13));
    if (e != 0) return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));
    float v = (float) m * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return sign ? -v : v;
}

__device__ __forceinline__ unsigned short f_to_f16(float f) {
    unsigned int x = __float_as_uint(f), sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return (unsigned short) (sign | 0x7e00u);
    if (a >= 0x477ff000u) return (unsigned short) (sign | 0x7c00u);
    if (a >= 0x38800000u) {
        unsigned int m = a - 0x38000000u;
        return (unsigned short) (sign | ((m + 0xfffu + ((m >> 13) & 1u)) >> 13));
    }
    if (a < 0x33000000u) return (unsigned short) sign;
    unsigned int e = a >> 23, m = (a & 0x7fffffu) | 0x800000u, shift = 126u - e;
    unsigned int q = m >> shift, rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (q & 1u))) q++;
    return (unsigned short) (sign | q);
}

__device__ __forceinline__ double load_d(const void* p, int dt, long long k) {
    switch (dt) {
        case DT_F32: return ((const float*) p)[k];
        case DT_F64: return ((const double*) p)[k];
        case DT_I32: return ((const int*) p)[k];
        case DT_BF16: return bf16_to_f(((const unsigned short*) p)[k]);
        case DT_F16: return f16_to_f(((const unsigned short*) p)[k]);
        default: return (double) ((const long long*) p)[k];
    }
}

__device__ __forceinline__ float load_f(const void* p, int dt, long long k) {
    if (dt == DT_F32) return ((const float*) p)[k];
    return (float) load_d(p, dt, k);
}

template <typename C> __device__ __forceinline__ C load_as(const void* p, int dt, long long k);
template <> __device__ __forceinline__ float load_as<float>(const void* p, int dt, long long k) { return load_f(p, dt, k); }
template <> __device__ __forceinline__ double load_as<double>(const void* p, int dt, long long k) { return load_d(p, dt, k); }

// Stores a value converted to dt; integer targets truncate toward zero like Java's (long) cast, with
// NaN giving 0 and out-of-range values saturating, as Java does; the 16-bit float types round through float32.
template <typename C>
__device__ __forceinline__ void store_as(void* p, int dt, long long k, C v) {
    switch (dt) {
        case DT_F32: ((float*) p)[k] = (float) v; break;
        case DT_F64: ((double*) p)[k] = (double) v; break;
        case DT_BF16: ((unsigned short*) p)[k] = f_to_bf16((float) v); break;
        case DT_F16: ((unsigned short*) p)[k] = f_to_f16((float) v); break;
        case DT_I32: ((int*) p)[k] = v != v ? 0 : (int) fmax(-2147483648.0, fmin(2147483647.0, (double) v)); break;
        default: ((long long*) p)[k] = v != v ? 0 : (long long) fmax(-9.2233720368547758e18, fmin(9.2233720368547758e18, (double) v)); break;
    }
}

__device__ __forceinline__ long long load_index(const void* p, int dt, long long k) {
    return dt == DT_I32 ? (long long) ((const int*) p)[k] : ((const long long*) p)[k];
}

// Grid-stride loop over n items.
#define FOR_EACH(i, n) for (long long i = blockIdx.x * (long long) blockDim.x + threadIdx.x; i < (n); i += (long long) blockDim.x * gridDim.x)

// Block-wide reduction of a double with op R_SUM / R_MAX / R_MIN; every thread gets the result.
// blockDim.x must be a multiple of 32 and at most 1024; scratch holds 32 doubles.
__device__ __forceinline__ double combine_op(int op, double a, double b) {
    if (op == R_SUM) return a + b;
    if (op == R_MAX) return (b != b || b > a) ? b : a;
    return (b != b || b < a) ? b : a;  // R_MIN
}

__device__ __forceinline__ double block_reduce(int op, double v, double* scratch) {
    for (int o = 16; o > 0; o >>= 1) v = combine_op(op, v, __shfl_xor_sync(0xffffffffu, v, o));
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, warps = blockDim.x >> 5;
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = scratch[0];
    for (int w = 1; w < warps; w++) v = combine_op(op, v, scratch[w]);
    return v;
}
