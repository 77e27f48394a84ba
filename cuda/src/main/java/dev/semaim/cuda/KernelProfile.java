package dev.semaim.cuda;

import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPU time per kernel name, measured with a pair of CUDA events around each launch (-Dsemaim.cuda.profile=true).
 * {@link #report} waits for the stream, prints kernels by total time with the share of the wall time
 * since the previous report, and starts over. Events are pooled, so profiling a loop creates no new ones
 * after its first round.
 */
final class KernelProfile {
    private final List<CUevent> pool = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private int used;
    private long since = System.nanoTime();

    private CUevent event() {
        if (used == pool.size()) {
            CUevent e = new CUevent();
            CudaDriver.check(JCudaDriver.cuEventCreate(e, 0), "cuEventCreate");
            pool.add(e);
        }
        return pool.get(used++);
    }

    void before(String name, CUstream stream) {
        names.add(name);
        CudaDriver.check(JCudaDriver.cuEventRecord(event(), stream), "cuEventRecord");
    }

    void after(CUstream stream) {
        CudaDriver.check(JCudaDriver.cuEventRecord(event(), stream), "cuEventRecord");
    }

    void report(CUstream stream) {
        CudaDriver.check(JCudaDriver.cuStreamSynchronize(stream), "cuStreamSynchronize (profile)");
        double wallMs = (System.nanoTime() - since) / 1e6;
        Map<String, double[]> byName = new HashMap<>();  // name -> {ms, count}
        float[] ms = new float[1];
        double total = 0;
        for (int i = 0; i < names.size(); i++) {
            CudaDriver.check(JCudaDriver.cuEventElapsedTime(ms, pool.get(2 * i), pool.get(2 * i + 1)), "cuEventElapsedTime");
            double[] acc = byName.computeIfAbsent(names.get(i), k -> new double[2]);
            acc[0] += ms[0];
            acc[1]++;
            total += ms[0];
        }
        System.out.printf("profile: %d launches, %.1f ms GPU time in kernels, %.1f ms wall since the last report%n", names.size(), total, wallMs);
        byName.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).limit(25)
                .forEach(e -> System.out.printf("profile:   %-40s %6d launches %9.2f ms%n", e.getKey(), (long) e.getValue()[1], e.getValue()[0]));
        names.clear();
        used = 0;
        since = System.nanoTime();
    }
}
