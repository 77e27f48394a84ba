package dev.semaim.tests.e2e;

import dev.semaim.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command-line tool as a user runs it: the quick demo, and a pre-training run that is resumed. */
class DemoAndPretrainEndToEndTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8), e = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, "semaim " + String.join(" ", args) + " failed:\n" + o + e);
        return new String[] {o, e};
    }

    @Test
    void quickDemoPrintsTheKnnTable() {
        String out = run("demo", "--quick", "--output_dir", dir.toString())[0];
        for (String row : List.of("random init            cls token", "random init            mean patch token",
                "SemAIM pre-trained     cls token", "SemAIM pre-trained     mean patch token")) {
            Matcher m = Pattern.compile(Pattern.quote(row) + "[^\\n]*?(\\d+\\.\\d)% +(\\d+\\.\\d)%").matcher(out);
            assertTrue(m.find(), "row '" + row + "' missing:\n" + out);
            double top1 = Double.parseDouble(m.group(1)), top5 = Double.parseDouble(m.group(2));
            assertTrue(top1 > 20 && top1 <= top5 && top5 <= 100, "implausible k-NN accuracy (10 classes) in:\n" + out);
        }
        assertTrue(Files.isRegularFile(dir.resolve("checkpoint-latest.safetensors")), "checkpoint kept in --output_dir");
    }

    @Test
    void pretrainCommandRunsAndAutoResumes() throws Exception {
        String[] args = {"pretrain", "--data_path", "embedded", "--output_dir", dir.toString(), "--model", "aim_tiny",
                "--input_size", "16", "--patch_size", "4", "--in_chans", "1", "--embed_dim", "32", "--depth", "2", "--num_heads", "2",
                "--query_depth", "2", "--batch_size", "8", "--epochs", "2", "--warmup_epochs", "1", "--max_steps_per_epoch", "3",
                "--norm_pix_loss", "--clip_grad", "3.0", "--num_workers", "1", "--save_every_epochs", "1"};
        String first = run(args)[0];
        assertTrue(first.contains("actual lr: 6.25e-06") && first.contains("effective batch size: 8"), first);
        assertTrue(first.contains("Epoch: [1/2]  [2/3]"), first);
        assertEquals(2, Files.readAllLines(dir.resolve("log.txt")).size());
        assertTrue(Files.isRegularFile(dir.resolve("checkpoint-0001.safetensors")) && Files.isRegularFile(dir.resolve("checkpoint-0002.safetensors")));
        String[] more = args.clone();
        more[java.util.Arrays.asList(more).indexOf("--epochs") + 1] = "3";
        String second = run(more)[0];
        assertTrue(second.contains("resumed from " + dir.resolve("checkpoint-latest.safetensors") + " at epoch 2, batch 0"), second);
        assertTrue(second.contains("Epoch: [2/3]  [2/3]") && !second.contains("Epoch: [1/3]"), second);
        assertEquals(3, Files.readAllLines(dir.resolve("log.txt")).size());
    }
}
