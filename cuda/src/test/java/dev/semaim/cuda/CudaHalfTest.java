package dev.semaim.cuda;

import dev.semaim.tensor.Backend;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.HalfFloats;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.CPU;
import static dev.semaim.cuda.GpuTestSupport.assertClose;
import static dev.semaim.cuda.GpuTestSupport.gpu;
import static dev.semaim.cuda.GpuTestSupport.randn;
import static dev.semaim.cuda.GpuTestSupport.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * BF16 and F16 on the GPU equal the CPU reference bit for bit: the conversions (every float16 and bfloat16 pattern,
 * and float32 values at the edges: ties, overflow, subnormals, NaN), and the kernels that compute in float32 and round
 * on store (elementwise, softmax, the product).
 */
class CudaHalfTest {
    private static final DType[] HALF = {DType.BF16, DType.F16};

    @Test
    void conversionsEqualTheCpuBitForBit() {
        Backend gpu = gpu();
        float[] edges = {0f, -0f, 1.00390625f, 1.01171875f, 65504f, 65519.99f, 65520f, 3.3895314e38f, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 0x1p-24f, 0x1p-25f, 0x1.8p-25f, 0x1p-14f,
                0x1.ffcp-15f, Float.MIN_VALUE, -2.5e-8f, 1e-40f};
        Tensor x = Tensor.of(CPU, edges, edges.length);
        for (DType dt : HALF) {
            assertArrayEquals((short[]) x.to(dt).toArray(), (short[]) x.to(gpu).to(dt).toArray(), "float32 -> " + dt);
            // every pattern's value, narrowed and widened back on the GPU
            float[] wide = new float[65536];
            for (int i = 0; i < wide.length; i++) wide[i] = HalfFloats.widen(dt, (short) i);
            float[] onGpu = Tensor.of(gpu, wide, 65536).to(dt).to(DType.F32).toFloatArray();
            for (int i = 0; i < wide.length; i++)
                if (Float.floatToRawIntBits(wide[i]) != Float.floatToRawIntBits(onGpu[i]) && !(Float.isNaN(wide[i]) && Float.isNaN(onGpu[i])))
                    throw new AssertionError(dt + " pattern " + Integer.toHexString(i) + ": the GPU round trip gives " + onGpu[i] + ", not " + wide[i]);
        }
    }

    @Test
    void kernelsRoundOnStoreAsTheCpu() {
        Backend gpu = gpu();
        for (DType dt : HALF)
            for (long seed = 1; seed <= 3; seed++) {
                Rng rng = new Rng(seed);
                Tensor a = randn(rng, DType.F32, 4, 33, 17).to(dt), b = randn(rng, DType.F32, 4, 17, 31).to(dt);
                Tensor ag = a.to(gpu), bg = b.to(gpu);
                assertClose(dt + " add", seed, a.add(view(a, 1)), ag.add(view(ag, 1)), 0, 0);
                double unit = dt == DType.BF16 ? 0x1p-7 : 0x1p-10; // one unit in the last place, relative
                // the same float64 math up to the last bits of erf and of the summation order: equal, or one unit apart
                assertClose(dt + " gelu", seed, a.gelu(), ag.gelu(), 1e-6, unit);
                assertClose(dt + " softmax", seed, a.softmax(2), ag.softmax(2), 1e-6, unit);
                // a float32 accumulation on the GPU, a float64 one on the CPU, each rounded once
                assertClose(dt + " matmul", seed, a.matmul(b), ag.matmul(bg), 1e-2, unit);
            }
    }
}
