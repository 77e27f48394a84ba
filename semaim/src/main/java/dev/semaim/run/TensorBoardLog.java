package dev.semaim.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The run's TensorBoard scalars in an {@link EventFile} beside log.txt, with the official code's tags: per optimizer
 * step {@code loss}, {@code lr}, {@code grad_norm}, with float16 loss scaling {@code fp16_scaler} (SemAIM's
 * {@code engine_pretrain}) and {@code images_per_s}, at the
 * run's iteration index; per epoch, for fine-tuning and linear probing, {@code perf/test_acc1}, {@code perf/test_acc5}
 * and {@code perf/test_loss} (MAE's {@code main_finetune}) at the epoch. Like the official writer it records only the
 * last micro-batch of each accumulation group, where the optimizer steps.
 */
public final class TensorBoardLog implements MetricsListener {
    /** log.txt's held-out fields and their TensorBoard tags, in the order they are written. */
    private static final List<Map.Entry<String, String>> EPOCH_TAGS = List.of(Map.entry("test_acc1", "perf/test_acc1"),
            Map.entry("test_acc5", "perf/test_acc5"), Map.entry("test_loss", "perf/test_loss"));

    private final EventFile events;

    /** Scalars into a new event file in {@code dir} (the log folder: --log_dir, else --output_dir). */
    public TensorBoardLog(Path dir) {
        this.events = new EventFile(dir);
    }

    /** The event file, or null before the first scalar. */
    public Path file() {
        return events.file();
    }

    @Override
    public void onIteration(Iteration it) throws IOException {
        if (!it.update()) {
            return;
        }
        events.scalar("loss", it.step(), it.loss());
        events.scalar("lr", it.step(), it.lr());
        if (!Double.isNaN(it.gradNorm())) {
            events.scalar("grad_norm", it.step(), it.gradNorm());
        }
        if (!Double.isNaN(it.lossScale())) {
            events.scalar("fp16_scaler", it.step(), it.lossScale());
        }
        events.scalar("images_per_s", it.step(), it.imagesPerSecond());
    }

    @Override
    public void onEpoch(int epoch, Map<String, Object> line) throws IOException {
        for (Map.Entry<String, String> e : EPOCH_TAGS) {
            if (line.get(e.getKey()) instanceof Number n) {
                events.scalar(e.getValue(), epoch, n.doubleValue());
            }
        }
    }
}
