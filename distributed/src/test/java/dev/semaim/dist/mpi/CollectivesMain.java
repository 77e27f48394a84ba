package dev.semaim.dist.mpi;

import dev.semaim.dist.Communicator;
import dev.semaim.dist.Distributed;
import dev.semaim.dist.Launch;
import dev.semaim.tensor.Backends;
import dev.semaim.tensor.Tensor;

import java.time.Duration;
import java.util.Arrays;

/**
 * One rank of {@link MpiCommunicatorTest}: every collective on values that tell the ranks apart, one line of results
 * per rank ("rank R: allreduce ... broadcast ... allgather ... bucket ..."), then "rank R: done".
 */
public final class CollectivesMain {
    private CollectivesMain() {
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
        if (args.length > 0 && args[0].equals("die") && r == 1) {
            Runtime.getRuntime().halt(3); // a rank that dies: the other waits in the barrier below
        }
        c.barrier();
        c.close();
        System.out.println("rank " + r + ": done");
    }
}
