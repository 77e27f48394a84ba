package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import org.junit.jupiter.api.Test;

import static dev.semaim.tensor.DType.F64;

/** Gradient properties of {@link Indexing}; index tensors repeat entries, so gradients must add up. */
class IndexingGradTest {
    static final int CASES = 50;

    @Test
    void indexSelect() {
        Cases.run("indexSelect", CASES, gen -> {
            int[] shape = gen.shape(1, 3, 4);
            int axis = gen.nextInt(-shape.length, shape.length - 1), size = shape[axis < 0 ? axis + shape.length : axis];
            Tensor index = gen.index(gen.nextInt(0, 5), size);
            GradCheck.check("indexSelect", gen, x -> Indexing.indexSelect(x[0], axis, index), gen.uniform(F64, shape, -2, 2));
        });
    }

    /** An index of shape ≤ x's shape off the axis (torch's rule), any size along it. */
    private static int[] indexShape(dev.semaim.tensor.testing.Gen gen, int[] shape, int a) {
        int[] s = shape.clone();
        for (int i = 0; i < s.length; i++) s[i] = i == a ? gen.nextInt(1, 4) : gen.nextInt(1, shape[i]);
        return s;
    }

    @Test
    void gather() {
        Cases.run("gather", CASES, gen -> {
            int[] shape = gen.shape(1, 3, 3);
            int axis = gen.nextInt(-shape.length, shape.length - 1), a = axis < 0 ? axis + shape.length : axis;
            Tensor index = gen.indices(indexShape(gen, shape, a), shape[a]);
            GradCheck.check("gather", gen, x -> Indexing.gather(x[0], axis, index), gen.uniform(F64, shape, -2, 2));
        });
    }

    @Test
    void scatterAdd() {
        Cases.run("scatterAdd", CASES, gen -> {
            int[] shape = gen.shape(1, 3, 3);
            int axis = gen.nextInt(-shape.length, shape.length - 1), a = axis < 0 ? axis + shape.length : axis;
            int[] is = indexShape(gen, shape, a);
            Tensor index = gen.indices(is, shape[a]);
            // src may be larger than the index (only its leading corner is read)
            int[] ss = is.clone();
            for (int i = 0; i < ss.length; i++) ss[i] += gen.nextInt(0, 3) == 0 ? 1 : 0;
            GradCheck.check("scatterAdd", gen, x -> Indexing.scatterAdd(x[0], axis, index, x[1]),
                    gen.uniform(F64, shape, -2, 2), gen.uniform(F64, ss, -2, 2));
        });
    }
}
