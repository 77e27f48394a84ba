package dev.semaim.tensor.cpu;

import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * argmax over a leading axis of a rank-3 tensor puts each row's answer at the element of the output it
 * belongs to (regression: the reference kernel once enumerated rows in transposed order; found by the
 * GPU-versus-CPU tests of the cuda module).
 */
class ArgReduceAxisOrderTest {
    @Test
    void everyAxisMatchesABruteForceScan() {
        int[] s = {4, 2, 3};
        double[] v = new double[24];
        for (int i = 0; i < v.length; i++) v[i] = (i * 7919) % 13;
        Tensor x = Tensor.of(Backends.cpu(), v, s);
        for (int axis = 0; axis < 3; axis++) {
            long[] got = x.argmax(axis).toLongArray();
            int k = 0;
            for (int i = 0; i < s[0]; i++)
                for (int j = 0; j < s[1]; j++)
                    for (int l = 0; l < s[2]; l++) {
                        int[] at = {i, j, l};
                        if (at[axis] != 0) continue;
                        int best = 0;
                        for (int c = 1; c < s[axis]; c++) {
                            int[] here = at.clone(), top = at.clone();
                            here[axis] = c;
                            top[axis] = best;
                            if (v[(here[0] * s[1] + here[1]) * s[2] + here[2]] > v[(top[0] * s[1] + top[1]) * s[2] + top[2]]) best = c;
                        }
                        assertEquals(best, got[k++], "argmax axis " + axis + " at " + java.util.Arrays.toString(at));
                    }
        }
    }
}
