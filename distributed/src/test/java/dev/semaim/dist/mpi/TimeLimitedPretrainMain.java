package dev.semaim.dist.mpi;

import dev.semaim.nn.StateDict;
import dev.semaim.run.ProgressLine;
import dev.semaim.train.PretrainOptions;
import dev.semaim.train.PretrainResult;
import dev.semaim.train.Pretrainer;

import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One rank of {@code semaim pretrain ARGS} that reports where it stopped, for
 * {@link DataParallelPretrainTest#aTimeLimitStopsEveryProcessAtTheSameStep}: "time limit reached ..., next epoch E,
 * N optimizer steps, weights H", H a hash of every bit of the weights, in {@code <output_dir>/stop-rank-R.txt} (a
 * file per rank: mpirun interleaves the processes' standard outputs, at times inside a line).
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
        String stop = String.format("time limit reached %s, next epoch %d, %d optimizer steps, weights %08x",
                r.timeLimitReached(), r.nextEpoch(), r.optimizerSteps(), hash);
        Files.createDirectories(o.outputDir);
        Files.writeString(o.outputDir.resolve("stop-rank-" + o.launch().rank() + ".txt"), stop);
    }
}
