package dev.semaim.dist.mpi;

import dev.semaim.autograd.Var;
import dev.semaim.dist.Communicator;
import dev.semaim.dist.GradientAllReduce;
import dev.semaim.dist.Distributed;
import dev.semaim.dist.Launch;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Tensor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One rank of {@link MpiCommunicatorTest}: every collective on values that tell the ranks apart, one line of results
 * per rank ("rank R of N: allreduce ... broadcast ... allgather ... mean ..."), a line of gradient buckets ("rank R:
 * buckets ... gradients ..."), then "rank R: done".
 */
public final class CollectivesMain {
    private CollectivesMain() {
    }

    /**
     * Two steps of {@link GradientAllReduce} (one 1-float parameter a bucket) on a graph that finishes the three
     * parameters in opposite orders on ranks 0 and 1: the buckets are rebuilt in rank 0's order on both, and the second
     * step's gradients are the average of the ranks' 3a + 2b + c and a + 2b + 3c, as before the rebuild.
     */
    private static String rebuiltBuckets(Communicator c) {
        List<Parameter> ps = new ArrayList<>();
        for (int i = 0; i < 3; i++) ps.add(new Parameter(Tensor.of(new float[] {1}, 1), Parameter.Kind.TRAINABLE));
        GradientAllReduce sync = new GradientAllReduce(c, ps, 4);
        Var first = ps.get(c.rank() == 0 ? 2 : 0).var(), last = ps.get(c.rank() == 0 ? 0 : 2).var();
        for (int step = 0; step < 2; step++) {
            ps.forEach(p -> p.var().zeroGrad());
            sync.beforeBackward(true);
            first.sum().add(ps.get(1).var().mul(2.0).sum()).add(last.mul(3.0).sum()).backwardAndRelease(); // finishes last first
            sync.beforeStep();
        }
        return "buckets " + sync.layout() + " gradients " + ps.stream().map(p -> p.grad().toFloatArray()[0]).toList();
    }

    public static void main(String[] args) {
        Launch launch = Launch.detect(System.getenv(), 1, -1, "env://", false);
        Communicator c = Distributed.open(launch, Backends.cpu(), Duration.ofSeconds(20));
        int r = c.rank();
        Tensor sum = Tensor.of(new float[] {r + 1, 10 * (r + 1), 0.5f}, 3);
        c.allReduceSum(sum);
        // a view at an offset into a larger storage: only its elements are reduced
        Tensor big = Tensor.of(new float[] {-1, r, r, -1}, 4);
        Tensor mid = big.narrow(0, 1, 2);
        c.allReduceSumAsync(mid).await();
        Tensor b = Tensor.of(new float[] {r == 1 ? 7 : -3, r}, 2);
        c.broadcast(b, 1);
        Tensor g = c.allGather(Tensor.of(new float[] {r, r * r}, 2));
        c.barrier();
        System.out.println("rank " + r + " of " + c.size() + ": allreduce " + Arrays.toString(sum.toFloatArray())
                + " view " + Arrays.toString(big.toFloatArray()) + " broadcast " + Arrays.toString(b.toFloatArray())
                + " allgather " + Arrays.toString(g.shape()) + Arrays.toString(g.toFloatArray()) + " mean " + c.mean(r));
        System.out.println("rank " + r + ": " + rebuiltBuckets(c));
        if (args.length > 0 && args[0].equals("die") && r == 1) {
            Runtime.getRuntime().halt(3); // a rank that dies: the other waits in the barrier below
        }
        c.barrier();
        c.close();
        System.out.println("rank " + r + ": done");
    }
}
