package dev.semaim.eval;

import dev.semaim.autograd.Var;
import dev.semaim.data.EmbeddedFashionMnist;
import dev.semaim.data.ToTensor;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Issue 17 item 3: features or logits that hold NaN stop an evaluation with an error. Before, k-NN ranked NaN
 * similarities arbitrarily and reported chance-level accuracy (7.5%) as a result, and held-out logits of NaN scored
 * whatever topk made of them.
 */
class NonFiniteEvaluationTest {
    @Test
    void nonFiniteKnnFeaturesStopTheExtractionNamingTheImages() {
        int[] calls = {0};
        KnnFeatures.NonFinite e = assertThrows(KnnFeatures.NonFinite.class, () -> KnnFeatures.extract(images -> {
            Tensor flat = images.reshape(images.size(0), -1); // (B, 784)
            return calls[0]++ == 1 ? flat.mul(Double.NaN) : flat;
        }, EmbeddedFashionMnist.train(), new ToTensor(), 4, 12, Backends.defaultBackend()));
        assertEquals("the features of images 4..7 hold 3136 non-finite values (NaN or infinity) of 3136: the encoder's weights "
                + "or its input are broken; the evaluation stops rather than score them", e.getMessage());
    }

    @Test
    void nonFiniteHeldOutLogitsStopTheEvaluation() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Accuracy.evaluate(
                images -> Var.constant(Tensor.full(Double.NaN, DType.F32, images.backend(), images.size(0), 10)),
                EmbeddedFashionMnist.test(1), new ToTensor(), 8, 0, Backends.defaultBackend()));
        assertEquals("the held-out loss of images 0..7 is NaN: the model's logits hold NaN or infinity; the evaluation stops "
                + "rather than score them", e.getMessage());
    }
}
