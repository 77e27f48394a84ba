// Random fills with the Philox-4x32-10 of dev.semaim.tensor.Philox, word for word: element i uses
// counter (counter + i) under key seed, so the GPU produces the CPU's numbers. kind: RAND_UNIFORM,
// RAND_NORMAL, RAND_TRUNC_NORMAL of opcodes.cuh.
#include "common.cuh"

__device__ __forceinline__ void philox_block(unsigned long long seed, unsigned long long ctr, unsigned int w[4]) {
    unsigned int c0 = (unsigned int) ctr, c1 = (unsigned int) (ctr >> 32), c2 = 0, c3 = 0;
    unsigned int k0 = (unsigned int) seed, k1 = (unsigned int) (seed >> 32);
#pragma unroll
    for (int r = 0; r < 10; r++) {
        unsigned int hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        unsigned int hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        unsigned int n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
        c0 = n0; c1 = n1; c2 = n2; c3 = n3;
        k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
    }
    w[0] = c0; w[1] = c1; w[2] = c2; w[3] = c3;
}

// 53 bits from two words, as Philox.uniformFromWords.
__device__ __forceinline__ double uniform_from_words(unsigned int hi, unsigned int lo) {
    unsigned long long bits = (((unsigned long long) hi) << 21) ^ (((unsigned long long) lo) >> 11);
    return (double) (bits & ((1ULL << 53) - 1)) * 0x1.0p-53;
}

extern "C" __global__ void random_k(Desc dout, void* out, int dt, int kind, unsigned long long seed, unsigned long long counter,
                                    double a, double b, long long n) {
    const double pi = 3.141592653589793, frac1sqrt2 = 0.7071067811865476;
    FOR_EACH(i, n) {
        unsigned int w[4];
        philox_block(seed, counter + (unsigned long long) i, w);
        double u1 = uniform_from_words(w[0], w[1]), v;
        if (kind == RAND_UNIFORM) {
            v = a + (b - a) * u1;
        } else if (kind == RAND_NORMAL) {
            double u2 = uniform_from_words(w[2], w[3]);
            double r = sqrt(-2.0 * log(1.0 - u1));
            v = a + b * r * cos(2 * pi * u2);
        } else {  // RAND_TRUNC_NORMAL
            // x = std * Phi^-1(u), u uniform on [Phi(-b/std), Phi(b/std)]
            double lo = 0.5 * (1 + erf(-b / a * frac1sqrt2));
            double hi = 0.5 * (1 + erf(b / a * frac1sqrt2));
            double u = lo + (hi - lo) * u1;
            double x = a * sqrt(2.0) * erfinv(2 * u - 1);
            v = fmax(-b, fmin(b, x));
        }
        store_as<double>(out, dt, desc_offset(dout, i), v);
    }
}
