package dev.semaim.autograd;

import dev.semaim.autograd.testing.GradCheck;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;
import dev.semaim.tensor.testing.Cases;
import dev.semaim.tensor.testing.Gen;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.semaim.tensor.DType.F64;

/**
 * Gradient properties of {@link ShapeOps}. Each view is followed by a multiplication with a
 * position-dependent weight inside {@link GradCheck}, so a gradient routed to the wrong element shows.
 */
class ShapeOpsGradTest {
    static final int CASES = 50;

    private static Tensor input(Gen gen, int[] shape) {
        return gen.uniform(F64, shape, -2, 2);
    }

    /** A random shape with numel n: its prime factors grouped at random, with some size-1 axes. */
    private static int[] shapeWithNumel(Gen gen, int n) {
        List<Integer> factors = new ArrayList<>();
        for (int f = 2, m = n; m > 1; ) {
            if (m % f == 0) {
                factors.add(f);
                m /= f;
            } else f++;
        }
        List<Integer> sizes = new ArrayList<>();
        int[] order = gen.permutation(factors.size());
        int current = 1;
        for (int i : order) {
            current *= factors.get(i);
            if (gen.nextBoolean()) {
                sizes.add(current);
                current = 1;
            }
        }
        if (current > 1 || sizes.isEmpty()) sizes.add(current);
        for (int k = gen.nextInt(0, 2); k > 0; k--) sizes.add(gen.nextInt(0, sizes.size()), 1);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void reshape() {
        Cases.run("reshape", CASES, gen -> {
            int[] in = gen.shape(0, 4, 4);
            int[] out = shapeWithNumel(gen, Shape.numel(in));
            if (out.length > 0 && gen.nextBoolean()) out[gen.nextInt(0, out.length - 1)] = -1;
            int[] target = out;
            GradCheck.check("reshape", gen, x -> ShapeOps.reshape(x[0], target), input(gen, in));
        });
    }

    @Test
    void permute() {
        Cases.run("permute", CASES, gen -> {
            int[] in = gen.shape(1, 4, 3);
            int[] p = gen.permutation(in.length);
            for (int i = 0; i < p.length; i++) if (gen.nextBoolean()) p[i] -= in.length;
            GradCheck.check("permute", gen, x -> ShapeOps.permute(x[0], p), input(gen, in));
        });
    }

    @Test
    void transpose() {
        Cases.run("transpose", CASES, gen -> {
            int[] in = gen.shape(1, 4, 3);
            int a = gen.nextInt(-in.length, in.length - 1), b = gen.nextInt(-in.length, in.length - 1);
            GradCheck.check("transpose", gen, x -> ShapeOps.transpose(x[0], a, b), input(gen, in));
        });
    }

    @Test
    void narrow() {
        Cases.run("narrow", CASES, gen -> {
            int[] in = gen.shape(1, 4, 4);
            int axis = gen.nextInt(-in.length, in.length - 1), size = in[axis < 0 ? axis + in.length : axis];
            int start = gen.nextInt(0, size - 1), length = gen.nextInt(0, size - start);
            GradCheck.check("narrow", gen, x -> ShapeOps.narrow(x[0], axis, start, length).mul(2), input(gen, in));
        });
    }

    @Test
    void select() {
        Cases.run("select", CASES, gen -> {
            int[] in = gen.shape(1, 4, 4);
            int axis = gen.nextInt(-in.length, in.length - 1), size = in[axis < 0 ? axis + in.length : axis];
            int index = gen.nextInt(0, size - 1);
            GradCheck.check("select", gen, x -> ShapeOps.select(x[0], axis, index).mul(2), input(gen, in));
        });
    }

    @Test
    void expand() {
        Cases.run("expand", CASES, gen -> {
            int[] full = gen.shape(0, 4, 3);
            int[] in = gen.broadcastPartner(full);
            int[] target = full.clone();
            // -1 keeps a size
            for (int i = 0; i < in.length; i++) if (gen.nextBoolean()) target[full.length - in.length + i] = -1;
            GradCheck.check("expand", gen, x -> ShapeOps.expand(x[0], target), input(gen, in));
        });
    }

    @Test
    void unsqueeze() {
        Cases.run("unsqueeze", CASES, gen -> {
            int[] in = gen.shape(0, 3, 3);
            int axis = gen.nextInt(-in.length - 1, in.length);
            GradCheck.check("unsqueeze", gen, x -> ShapeOps.unsqueeze(x[0], axis), input(gen, in));
        });
    }

    @Test
    void squeeze() {
        Cases.run("squeeze", CASES, gen -> {
            int[] base = gen.shape(0, 3, 3);
            int at = gen.nextInt(0, base.length);
            int[] in = new int[base.length + 1];
            for (int i = 0, j = 0; i < in.length; i++) in[i] = i == at ? 1 : base[j++];
            int axis = gen.nextBoolean() ? at : at - in.length;
            GradCheck.check("squeeze", gen, x -> ShapeOps.squeeze(x[0], axis), input(gen, in));
        });
    }

    @Test
    void contiguous() {
        Cases.run("contiguous", CASES, gen -> {
            int[] in = gen.shape(1, 4, 3);
            int[] p = gen.permutation(in.length);
            GradCheck.check("contiguous", gen, x -> ShapeOps.contiguous(x[0].permute(p)), input(gen, in));
        });
    }

    @Test
    void cat() {
        Cases.run("cat", CASES, gen -> {
            int[] base = gen.shape(1, 4, 3);
            int axis = gen.nextInt(-base.length, base.length - 1), a = axis < 0 ? axis + base.length : axis;
            Tensor[] parts = new Tensor[gen.nextInt(1, 3)];
            for (int i = 0; i < parts.length; i++) {
                int[] s = base.clone();
                s[a] = gen.nextInt(0, 3);
                parts[i] = input(gen, s);
            }
            GradCheck.check("cat", gen, x -> ShapeOps.cat(axis, x), parts);
        });
    }

    @Test
    void stack() {
        Cases.run("stack", CASES, gen -> {
            int[] base = gen.shape(0, 3, 3);
            int axis = gen.nextInt(-base.length - 1, base.length);
            Tensor[] parts = new Tensor[gen.nextInt(1, 3)];
            for (int i = 0; i < parts.length; i++) parts[i] = input(gen, base);
            GradCheck.check("stack", gen, x -> ShapeOps.stack(axis, x), parts);
        });
    }

    @Test
    void split() {
        Cases.run("split", CASES, gen -> {
            int[] in = gen.shape(1, 4, 5);
            int axis = gen.nextInt(-in.length, in.length - 1), size = in[axis < 0 ? axis + in.length : axis];
            List<Integer> sizes = new ArrayList<>();
            for (int left = size; left > 0; ) {
                int s = gen.nextInt(0, left);
                sizes.add(s);
                left -= s;
            }
            int[] pieces = sizes.stream().mapToInt(Integer::intValue).toArray();
            if (pieces.length == 0) pieces = new int[] {0};
            int[] p = pieces;
            // the pieces weighted differently and joined again, so each one's gradient is checked
            GradCheck.check("split " + Arrays.toString(p), gen, x -> {
                Var[] out = ShapeOps.split(x[0], axis, p);
                for (int i = 0; i < out.length; i++) out[i] = out[i].mul(i + 1.5);
                return ShapeOps.cat(axis, out);
            }, input(gen, in));
        });
    }
}
