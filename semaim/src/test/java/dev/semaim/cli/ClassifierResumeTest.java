package dev.semaim.cli;

import dev.semaim.nn.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A linear probe (or fine-tuning) run resumed with other settings: what its weights and optimizer state were trained
 * for is refused, anything else is noted and kept in the checkpoints' config_changes (it was taken silently, the
 * config then describing the whole run by the new values); an --eval of the checkpoint compares nothing.
 */
class ClassifierResumeTest {
    @TempDir
    Path dir;

    private static final String[] TINY = {"--model", "vit_tiny_patch4", "--input_size", "16", "--in_chans", "1", "--embed_dim", "32",
            "--depth", "2", "--num_heads", "2", "--data_path", "embedded", "--nb_classes", "10", "--num_workers", "0",
            "--warmup_epochs", "0", "--max_steps_per_epoch", "2", "--max_train_images", "64", "--max_eval_images", "32"};

    private MainTest.Run linprobe(String... more) {
        List<String> args = new ArrayList<>(List.of("linprobe"));
        args.addAll(Arrays.asList(TINY));
        args.addAll(List.of("--output_dir", dir.resolve("probe").toString()));
        args.addAll(Arrays.asList(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @Test
    void aResumeRefusesAnotherBatchAndNotesALongerSchedule() throws Exception {
        MainTest.Run first = linprobe("--epochs", "1", "--batch_size", "16");
        assertEquals(0, first.status(), first.out() + first.err());
        Path latest = dir.resolve("probe").resolve("checkpoint-latest.safetensors");
        assertEquals("1", Safetensors.readMetadata(latest).get("world_size"));

        MainTest.Run other = linprobe("--epochs", "2", "--batch_size", "8");
        assertEquals(2, other.status(), other.out() + other.err());
        assertTrue(other.err().contains("--batch_size 8 (the checkpoint's: 16): a resumed run keeps the model, its head, --batch_size and "
                + "--accum_iter of its checkpoint " + latest), other.err());

        MainTest.Run eval = linprobe("--epochs", "2", "--batch_size", "8", "--eval");
        assertEquals(0, eval.status(), eval.out() + eval.err());

        MainTest.Run longer = linprobe("--epochs", "2", "--batch_size", "16", "--seed", "5");
        assertEquals(0, longer.status(), longer.out() + longer.err());
        assertTrue(longer.err().contains("note: --epochs 2 (the checkpoint's: 1) holds from epoch 1, batch 0 on")
                && longer.err().contains("note: continuing with the checkpoint's seed 0 (not --seed 5)"), longer.err());
        Map<String, String> meta = Safetensors.readMetadata(latest);
        assertEquals("{\"epoch 1, batch 0\": \"epochs 1 -> 2\"}", meta.get("config_changes"));
        assertTrue(meta.get("config").contains("\"seed\": 0"), meta.get("config"));
    }
}
