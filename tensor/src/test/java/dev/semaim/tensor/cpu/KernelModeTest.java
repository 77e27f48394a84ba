package dev.semaim.tensor.cpu;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Jvm;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code -Dsemaim.reference=true} routes float32 work to the reference kernels: they compute in
 * double and round once, so every float32 result then equals the float64 result rounded to float,
 * bit for bit. Without the flag the fast kernels (float accumulation) give other bits. A JVM started
 * without the Vector API module gets the reference kernels too, after one warning line.
 */
class KernelModeTest {
    /** Prints "mode op=exact ..." for a few primitives on inputs big enough for every fast path. */
    public static final class Probe {
        public static void main(String[] args) {
            Rng rng = new Rng(5);
            Tensor a = Tensor.randn(rng, DType.F32, 70, 300), b = Tensor.randn(rng, DType.F32, 300, 65);
            StringBuilder s = new StringBuilder(KernelMode.reference() ? "reference" : "fast");
            s.append(" matmul=").append(exact(a.matmul(b), a.to(DType.F64).matmul(b.to(DType.F64))));
            s.append(" sum=").append(exact(a.sum(1), a.to(DType.F64).sum(1)));
            s.append(" softmax=").append(exact(a.softmax(1), a.to(DType.F64).softmax(1)));
            s.append(" gelu=").append(exact(a.gelu(), a.to(DType.F64).gelu()));
            s.append(" layerNorm=").append(exact(a.layerNorm(null, null, 1e-5).out(), a.to(DType.F64).layerNorm(null, null, 1e-5).out()));
            System.out.println(s);
        }

        private static boolean exact(Tensor f32, Tensor f64) {
            return Arrays.equals(f32.toFloatArray(), f64.toFloatArray());
        }
    }

    @Test
    void referenceFlagRoutesFloat32ToTheReferenceKernels() {
        assertEquals("reference matmul=true sum=true softmax=true gelu=true layerNorm=true", Jvm.run(Probe.class, "semaim.reference=true"));
        assertEquals("fast matmul=false sum=false softmax=false gelu=false layerNorm=false", Jvm.run(Probe.class, "semaim.reference=false"));
    }

    /** Issue 19 item 8: a JVM without the Vector API module used to die with NoClassDefFoundError at the first matmul. */
    @Test
    void withoutTheVectorApiModuleTheReferenceKernelsRunAfterOneWarningLine() {
        assertEquals(KernelMode.NO_VECTOR_API_WARNING + "\nreference matmul=true sum=true softmax=true gelu=true layerNorm=true",
                Jvm.runWithoutVectorApi(Probe.class));
        // asking for the reference kernels is a choice, not a missing module: no warning then
        assertEquals("reference matmul=true sum=true softmax=true gelu=true layerNorm=true",
                Jvm.runWithoutVectorApi(Probe.class, "semaim.reference=true"));
    }
}
