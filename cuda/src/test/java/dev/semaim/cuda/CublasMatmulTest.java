package dev.semaim.cuda;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.semaim.cuda.GpuTestSupport.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * On a GPU with cuBLAS: cuBLAS's products against our own GEMM kernels (the reference) and the CPU, on the
 * attention views (heads of a packed qkv, kᵀ, probsᵀ), padded and copied layouts, FP32, TF32 and FP64.
 */
class CublasMatmulTest {
    private static CudaBackend cublasGpu() {
        CudaBackend gpu = (CudaBackend) gpu();
        assumeTrue(gpu.cublas(), () -> "skipped: " + gpu.gemm());
        return gpu;
    }

    private static Tensor heads(Tensor x, int h) {
        return x.reshape(x.size(0), x.size(1), h, x.size(2) / h).transpose(1, 2);
    }

    @Test
    void attentionProductsMatchOurKernelsAndTheCpu() {
        CudaBackend gpu = cublasGpu();
        int b = 3, t = 197, h = 4, d = 64 * h;
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            Rng rng = new Rng(11);
            Tensor qkv = randn(rng, dt, b, t, 3 * d), p = randn(rng, dt, b, h, t, t);
            Tensor q = heads(qkv.narrow(2, 0, d), h), k = heads(qkv.narrow(2, d, d), h);
            Tensor qg = heads(qkv.to(gpu).narrow(2, 0, d), h), kg = heads(qkv.to(gpu).narrow(2, d, d), h), pg = p.to(gpu);
            Tensor[][] cases = {{q, k.transpose(2, 3), qg, kg.transpose(2, 3)}, {p, k, pg, kg}, {p.transpose(2, 3), q, pg.transpose(2, 3), qg}};
            for (Tensor[] c : cases) {
                Tensor want = c[0].matmul(c[1]);
                Tensor viaCublas = c[2].matmul(c[3]);
                gpu.setCublas(false);
                Tensor viaKernels;
                try {
                    viaKernels = c[2].matmul(c[3]);
                } finally {
                    gpu.setCublas(true);
                }
                double tol = dt == DType.F64 ? 1e-10 : 1e-4;
                assertClose("cuBLAS vs CPU " + dt, 11, want, viaCublas.to(CPU), tol * 16, tol);
                assertClose("cuBLAS vs our kernels " + dt, 11, viaKernels.to(CPU), viaCublas.to(CPU), tol * 16, tol);
            }
        }
    }

    @Test
    void tf32AndAwkwardOutputsStayClose() {
        CudaBackend gpu = cublasGpu();
        boolean was = gpu.tf32();
        gpu.setTf32(true);
        try {
            Rng rng = new Rng(12);
            Tensor a = randn(rng, DType.F32, 129, 300), w = randn(rng, DType.F32, 77, 300);
            Tensor want = a.matmul(w.transpose(0, 1));
            Tensor out = Tensor.empty(DType.F32, gpu, 77, 129).transpose(0, 1);  // transposed output: a scratch, then a copy
            gpu.matmul(a.to(gpu), w.to(gpu).transpose(0, 1), out);
            assertClose("tf32 cuBLAS into a transposed output", 12, want, out.to(CPU), 3e-3 * Math.sqrt(300), 1e-2);
        } finally {
            gpu.setTf32(was);
        }
    }
}
