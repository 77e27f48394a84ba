// Strided elementwise kernels: copy (with dtype conversion), fill, unary, binary, where.
// Operand shapes are equal (broadcast inputs arrive as stride-0 views); each operand has its own Desc.
// C is the compute type: float when every floating operand is F32, else double (as the CPU reference).
#include "common.cuh"

// op codes: U_* and B_* of opcodes.cuh (through common.cuh)

__device__ __forceinline__ float m_exp(float x) { return expf(x); }
__device__ __forceinline__ double m_exp(double x) { return exp(x); }
__device__ __forceinline__ float m_log(float x) { return logf(x); }
__device__ __forceinline__ double m_log(double x) { return log(x); }
__device__ __forceinline__ float m_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double m_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float m_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double m_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float m_erf(float x) { return erff(x); }
__device__ __forceinline__ double m_erf(double x) { return erf(x); }
__device__ __forceinline__ float m_sin(float x) { return sinf(x); }
__device__ __forceinline__ double m_sin(double x) { return sin(x); }
__device__ __forceinline__ float m_cos(float x) { return cosf(x); }
__device__ __forceinline__ double m_cos(double x) { return cos(x); }
__device__ __forceinline__ float m_pow(float a, float b) { return powf(a, b); }
__device__ __forceinline__ double m_pow(double a, double b) { return pow(a, b); }

template <typename C>
__device__ __forceinline__ C unary_op(int op, C x, C lo, C hi) {
    const C frac1sqrt2 = (C) 0.70710678118654752440;
    switch (op) {
        case U_NEG: return -x;
        case U_EXP: return m_exp(x);
        case U_LOG: return m_log(x);
        case U_SQRT: return m_sqrt(x);
        case U_RSQRT: return (C) 1 / m_sqrt(x);
        case U_ABS: return x < 0 ? -x : (x == 0 ? (C) 0 : x);
        case U_TANH: return m_tanh(x);
        case U_ERF: return m_erf(x);
        case U_GELU: return (C) 0.5 * x * ((C) 1 + m_erf(x * frac1sqrt2));
        case U_RELU: return x > 0 ? x : (C) 0;
        case U_SIGN: return x > 0 ? (C) 1 : (x < 0 ? (C) -1 : x);
        case U_SQUARE: return x * x;
        case U_RECIPROCAL: return (C) 1 / x;
        case U_SIN: return m_sin(x);
        case U_COS: return m_cos(x);
        default: return x < lo ? lo : (x > hi ? hi : x);  // U_CLAMP
    }
}

template <typename C>
__device__ __forceinline__ C binary_op(int op, C a, C b) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return m_pow(a, b);
        case B_MAX: return (a != a || a >= b) ? a : b;
        case B_MIN: return (a != a || a <= b) ? a : b;
        case B_EQ: return a == b ? 1 : 0;
        case B_NE: return a != b ? 1 : 0;
        case B_LT: return a < b ? 1 : 0;
        case B_LE: return a <= b ? 1 : 0;
        case B_GT: return a > b ? 1 : 0;
        case B_GE: return a >= b ? 1 : 0;
        default: {  // B_GELU_GRAD: b * GELU'(a)
            C cdf = (C) 0.5 * ((C) 1 + m_erf(a * (C) 0.70710678118654752440));
            C pdf = m_exp((C) -0.5 * a * a) * (C) 0.39894228040143267794;
            return b * (cdf + a * pdf);
        }
    }
}

extern "C" __global__ void copy_k(Desc ds, const void* src, int dts, Desc dd, void* dst, int dtd, long long n) {
    FOR_EACH(i, n) {
        long long is = desc_offset(ds, i), id = desc_offset(dd, i);
        if (dts == dtd) {
            if (dts == DT_F32 || dts == DT_I32) ((int*) dst)[id] = ((const int*) src)[is];
            else ((long long*) dst)[id] = ((const long long*) src)[is];
        } else if (dts >= DT_I32 && dtd >= DT_I32) {
            long long v = load_index(src, dts, is);
            if (dtd == DT_I32) ((int*) dst)[id] = (int) v;
            else ((long long*) dst)[id] = v;
        } else {
            store_as<double>(dst, dtd, id, load_d(src, dts, is));
        }
    }
}

extern "C" __global__ void fill_k(Desc dd, void* dst, int dtd, double v, long long n) {
    FOR_EACH(i, n) store_as<double>(dst, dtd, desc_offset(dd, i), v);
}

template <typename C>
__device__ void unary_body(int op, Desc dx, const void* x, int dtx, Desc dout, void* out, int dto, double lo, double hi, long long n) {
    FOR_EACH(i, n) {
        C v = load_as<C>(x, dtx, desc_offset(dx, i));
        store_as<C>(out, dto, desc_offset(dout, i), unary_op<C>(op, v, (C) lo, (C) hi));
    }
}

extern "C" __global__ void unary_f(int op, Desc dx, const void* x, int dtx, Desc dout, void* out, int dto, double lo, double hi, long long n) {
    unary_body<float>(op, dx, x, dtx, dout, out, dto, lo, hi, n);
}

extern "C" __global__ void unary_d(int op, Desc dx, const void* x, int dtx, Desc dout, void* out, int dto, double lo, double hi, long long n) {
    unary_body<double>(op, dx, x, dtx, dout, out, dto, lo, hi, n);
}

template <typename C>
__device__ void binary_body(int op, Desc da, const void* a, int dta, Desc db, const void* b, int dtb,
                            Desc dout, void* out, int dto, long long n) {
    FOR_EACH(i, n) {
        C va = load_as<C>(a, dta, desc_offset(da, i));
        C vb = load_as<C>(b, dtb, desc_offset(db, i));
        store_as<C>(out, dto, desc_offset(dout, i), binary_op<C>(op, va, vb));
    }
}

extern "C" __global__ void binary_f(int op, Desc da, const void* a, int dta, Desc db, const void* b, int dtb,
                                    Desc dout, void* out, int dto, long long n) {
    binary_body<float>(op, da, a, dta, db, b, dtb, dout, out, dto, n);
}

extern "C" __global__ void binary_d(int op, Desc da, const void* a, int dta, Desc db, const void* b, int dtb,
                                    Desc dout, void* out, int dto, long long n) {
    binary_body<double>(op, da, a, dta, db, b, dtb, dout, out, dto, n);
}

extern "C" __global__ void where_k(Desc dc, const void* c, int dtc, Desc da, const void* a, int dta, Desc db, const void* b, int dtb,
                                   Desc dout, void* out, int dto, long long n) {
    FOR_EACH(i, n) {
        bool take = load_d(c, dtc, desc_offset(dc, i)) != 0;
        long long k = take ? desc_offset(da, i) : desc_offset(db, i);
        double v = take ? load_d(a, dta, k) : load_d(b, dtb, k);
        store_as<double>(out, dto, desc_offset(dout, i), v);
    }
}
