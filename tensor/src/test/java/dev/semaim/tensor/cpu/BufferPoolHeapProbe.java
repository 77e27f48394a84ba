package dev.semaim.tensor.cpu;

import dev.semaim.tensor.DType;
import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Run in its own small-heap JVM by {@link BufferPoolTest}: fills the pool with released buffers worth 60% of the
 * heap, then allocates 50% of the heap in buffers of another length, which fits only if the pool lets go of its
 * free buffers. Prints "ok" when every allocation succeeded.
 */
public final class BufferPoolHeapProbe {
    private BufferPoolHeapProbe() {}

    public static void main(String[] args) {
        int tenth = (int) (Runtime.getRuntime().maxMemory() / 10 / Float.BYTES);
        List<Tensor> held = new ArrayList<>();
        for (int i = 0; i < 6; i++) held.add(Tensor.empty(DType.F32, CpuBackend.INSTANCE, tenth));
        for (Tensor t : held) t.release();
        held.clear();
        for (int i = 0; i < 5; i++) held.add(Tensor.empty(DType.F32, CpuBackend.INSTANCE, tenth + 1));
        System.out.println("ok " + held.size());
    }
}
