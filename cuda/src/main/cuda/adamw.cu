// One AdamW update in place (see Backend.adamw: PyTorch 1.13's operation order), in double like the CPU
// reference; one thread per element.
#include "common.cuh"

extern "C" __global__ void adamw_k(Desc dp, void* p, Desc dg, const void* g, Desc dm, void* m, Desc dv, void* v, int dt,
                                   double lr, double b1, double b2, double eps, double wd, double bc1, double bc2, long long n) {
    FOR_EACH(i, n) {
        long long ip = desc_offset(dp, i), ig = desc_offset(dg, i), im = desc_offset(dm, i), iv = desc_offset(dv, i);
        double gv = load_d(g, dt, ig);
        double pv = load_d(p, dt, ip) * (1 - lr * wd);
        double mv = b1 * load_d(m, dt, im) + (1 - b1) * gv;
        double vv = b2 * load_d(v, dt, iv) + (1 - b2) * gv * gv;
        store_as<double>(m, dt, im, mv);
        store_as<double>(v, dt, iv, vv);
        store_as<double>(p, dt, ip, pv - (lr / bc1) * mv / (sqrt(vv) / sqrt(bc2) + eps));
    }
}
