package dev.semaim.tests.parity;

import dev.semaim.model.GaussianBlur;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Spec §5.1 kernel and zero-padded depthwise blur against golden/gaussian.safetensors and §13.2. */
class GaussianParityTest {
    private static final Golden G = Golden.load("gaussian.safetensors");

    @Test
    void kernelsMatchTorchExactly() {
        Golden.assertClose("kernel9", G.get("kernel9"), GaussianBlur.kernel(9, 1), 0, 0);
        Golden.assertClose("kernel5", G.get("kernel5"), GaussianBlur.kernel(5, 1), 0, 0);
    }

    @Test
    void blursMatchTorch() {
        Tensor in = G.get("input");
        Golden.assertClose("blur9", G.get("blur9"), new GaussianBlur(9, 1, 3).forward(in), 1e-5, 1e-6);
        Golden.assertClose("blur5", G.get("blur5"), new GaussianBlur(5, 1, 3).forward(in), 1e-5, 1e-6);
        Golden.assertClose("ones_blur9", G.get("ones_blur9"), new GaussianBlur(9, 1, 3).forward(Tensor.ones(DType.F32, 1, 3, 32, 32)), 1e-6, 1e-7);
    }

    @Test
    void specCheckValues() {
        Tensor k = GaussianBlur.kernel(9, 1);
        assertEquals(0.15915589f, (float) k.get(4, 4));
        assertEquals(5.339085e-5, k.get(4, 0), 1e-11);
        assertEquals(1.791064e-8, k.get(0, 0), 1e-14);
        assertEquals(1.0, k.to(DType.F64).sum().item(), 1e-6);
        Tensor b = new GaussianBlur(9, 1, 3).forward(Tensor.ones(DType.F32, 1, 3, 32, 32));
        assertEquals(1.0, b.get(0, 1, 16, 16), 1e-6);
        assertEquals(0.69947, b.get(0, 1, 0, 16), 1e-5);
        assertEquals(0.48926, b.get(0, 1, 0, 0), 1e-5);
    }
}
