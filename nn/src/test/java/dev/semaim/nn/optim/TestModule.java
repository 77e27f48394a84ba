package dev.semaim.nn.optim;

import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.Rng;
import dev.semaim.tensor.Tensor;

/** A module assembled from the outside, for tests of code that walks modules. */
public final class TestModule extends Module {
    public Parameter add(String name, Tensor value) { return param(name, value); }

    public Parameter addFrozen(String name, Tensor value) { return frozen(name, value); }

    public Parameter addBuffer(String name, Tensor value) { return buffer(name, value); }

    public TestModule addChild(String name) { return child(name, new TestModule()); }

    /**
     * The key layout of spec §10's ViT at toy size (D = 4, 2 blocks, 3 classes), random values:
     * cls_token, pos_embed (frozen), patch_embed.proj.*, blocks.{0,1}.{norm1,attn.qkv}.*, norm.*, head.*, and a buffer.
     */
    public static TestModule tinyVit(long seed) {
        Rng rng = new Rng(seed);
        TestModule m = new TestModule();
        m.add("cls_token", Tensor.randn(rng, DType.F32, 1, 1, 4));
        m.addFrozen("pos_embed", Tensor.randn(rng, DType.F32, 1, 5, 4));
        TestModule proj = m.addChild("patch_embed").addChild("proj");
        proj.add("weight", Tensor.randn(rng, DType.F32, 4, 3, 2, 2));
        proj.add("bias", Tensor.randn(rng, DType.F32, 4));
        TestModule blocks = m.addChild("blocks");
        for (int i = 0; i < 2; i++) {
            TestModule b = blocks.addChild(Integer.toString(i));
            TestModule n1 = b.addChild("norm1");
            n1.add("weight", Tensor.randn(rng, DType.F32, 4));
            n1.add("bias", Tensor.randn(rng, DType.F32, 4));
            TestModule qkv = b.addChild("attn").addChild("qkv");
            qkv.add("weight", Tensor.randn(rng, DType.F32, 12, 4));
            qkv.add("bias", Tensor.randn(rng, DType.F32, 12));
        }
        TestModule norm = m.addChild("norm");
        norm.add("weight", Tensor.randn(rng, DType.F32, 4));
        norm.add("bias", Tensor.randn(rng, DType.F32, 4));
        TestModule head = m.addChild("head");
        head.add("weight", Tensor.randn(rng, DType.F32, 3, 4));
        head.add("bias", Tensor.randn(rng, DType.F32, 3));
        m.addChild("gaussian_blur").addBuffer("weight", Tensor.randn(rng, DType.F32, 3, 1, 3, 3));
        return m;
    }
}
