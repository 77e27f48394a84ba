package dev.semaim.dist.mpi;

import dev.semaim.nn.StateDict;
import dev.semaim.run.ProgressLine;
import dev.semaim.train.PretrainOptions;
import dev.semaim.train.PretrainResult;
import dev.semaim.train.Pretrainer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One rank of {@code semaim pretrain ARGS} that reports where it stopped, for
 * {@link DataParallelPretrainTest#aTimeLimitStopsEveryProcessAtTheSameStep}: "rank R: time limit reached ..., next
 * epoch E, N optimizer steps, weights H", H a hash of every bit of the weights (the other ranks print nothing of
 * their own in a run).
 */
public final class TimeLimitedPretrainMain {
    private TimeLimitedPretrainMain() {
    }

    public static void main(String[] args) throws Exception {
        PretrainOptions o = PretrainOptions.SCHEMA.parse(List.of(args));
        PretrainResult r = new Pretrainer(o, ProgressLine.forTerminal(System.out, System.err, o.printEvery)).run();
        int hash = 1;
        for (Map.Entry<String, dev.semaim.tensor.Tensor> e : new TreeMap<>(StateDict.of(r.model())).entrySet()) {
            hash = 31 * (31 * hash + e.getKey().hashCode()) + Arrays.hashCode(e.getValue().toFloatArray());
        }
        System.out.printf("rank %d: time limit reached %s, next epoch %d, %d optimizer steps, weights %08x%n", o.launch().rank(),
                r.timeLimitReached(), r.nextEpoch(), r.optimizerSteps(), hash);
    }
}
