// Depthwise 2-D correlation with zero padding: x (B, C, H, W), w (C, 1, k, k) -> out (B, C, Ho, Wo);
// one thread per output element, accumulation in double. Descs are 4-D, uncoalesced.
#include "common.cuh"

extern "C" __global__ void depthwise_conv2d_k(Desc dx, const void* x, Desc dw, const void* w, Desc dout, void* out, int dt,
                                              int pad, long long n) {
    const int c = dout.shape[1], ho = dout.shape[2], wo = dout.shape[3], h = dx.shape[2], wd = dx.shape[3], k = dw.shape[2];
    FOR_EACH(i, n) {
        unsigned int u0 = (unsigned int) i, u1 = u0 / wo, u2 = u1 / ho;  // 32-bit: counts are below 2^31
        int j = (int) (u0 - u1 * wo), r = (int) (u1 - u2 * ho), ch = (int) (u2 % c);
        long long bb = u2 / c;
        long long xb = dx.offset + bb * dx.strides[0] + (long long) ch * dx.strides[1];
        long long wb = dw.offset + (long long) ch * dw.strides[0];
        double s = 0;
        for (int u = 0; u < k; u++) {
            int yi = r + u - pad;
            if (yi < 0 || yi >= h) continue;
            for (int v = 0; v < k; v++) {
                int xj = j + v - pad;
                if (xj < 0 || xj >= wd) continue;
                s += load_d(x, dt, xb + (long long) yi * dx.strides[2] + (long long) xj * dx.strides[3])
                     * load_d(w, dt, wb + (long long) u * dw.strides[2] + (long long) v * dw.strides[3]);
            }
        }
        store_as<double>(out, dt, desc_offset(dout, i), s);
    }
}
