package dev.semaim.cli;

import dev.semaim.eval.EvalOptions;
import dev.semaim.settings.Schema;
import dev.semaim.settings.Setting;
import dev.semaim.train.PretrainOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;

    /** Exit status, stdout, stderr of one command line. */
    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void assertOneLineError(Run r, int status, String expected) {
        assertEquals(status, r.status(), r.err());
        assertEquals(expected + System.lineSeparator(), r.err());
    }

    @Test
    void helpListsCommandsAndEveryPretrainFlag() {
        Run r = run("help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("pretrain") && r.out().contains("demo") && r.out().contains("help"), r.out());
        Run p = run("pretrain", "--help");
        assertEquals(0, p.status());
        for (String flag : new String[] {"model", "batch_size", "epochs", "accum_iter", "blr", "lr", "min_lr", "warmup_epochs",
                "weight_decay", "clip_grad", "query_depth", "prediction_head_type", "gaussian_kernel_size", "gaussian_sigma",
                "norm_pix_loss", "permutation_type", "attention_type", "loss_type", "data_path", "output_dir", "log_dir", "seed",
                "resume", "input_size", "patch_size", "in_chans", "max_steps_per_epoch", "num_workers", "device"}) {
            Matcher m = Pattern.compile("(?m)^  --" + flag + "\\b.*\\S.*$").matcher(p.out());
            assertTrue(m.find(), "--" + flag + " missing from\n" + p.out());
        }
        assertEquals(p.out(), run("help", "pretrain").out());
        assertEquals(0, run("demo", "--help").status());
    }

    /** Each command's --help is its schema's: every declared setting on a line of its own, with its default. */
    @Test
    void everyCommandsHelpListsEveryDeclaredFlagWithItsDefault() {
        Map<String, Schema<?>> schemas = new LinkedHashMap<>();
        schemas.put("pretrain", PretrainOptions.SCHEMA);
        schemas.put("finetune", EvalOptions.FINETUNE);
        schemas.put("linprobe", EvalOptions.LINPROBE);
        schemas.put("knn", EvalOptions.KNN);
        schemas.put("demo", DemoCommand.SCHEMA);
        schemas.put("audit", AuditCommand.SCHEMA);
        schemas.put("visualize", VisualizeCommand.SCHEMA);
        schemas.put("plot", PlotCommand.SCHEMA);
        schemas.forEach((command, schema) -> {
            String help = run(command, "--help").out();
            assertEquals(schema.help(), help);
            for (Setting<?, ?> s : schema.settings()) {
                String shown = s.defaultText() == null ? "unset" : s.defaultText().equals("true") ? "on"
                        : s.defaultText().equals("false") ? "off" : s.defaultText();
                assertTrue(help.lines().anyMatch(l -> (l.startsWith("  --" + s.name() + " ") || l.startsWith("  --" + s.name() + ","))
                                && (l.endsWith("[default: " + shown + "]") || l.endsWith("[repeatable]"))),
                        command + " --" + s.name() + " [default: " + shown + "] missing from\n" + help);
            }
        });
    }

    @Test
    void commandLineMistakesExitTwoWithOneLine() {
        Run unknown = run("pretrian");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().startsWith("semaim: unknown command 'pretrian' (commands: pretrain, demo, "), unknown.err());
        assertOneLineError(run("pretrain", "--batch_size", "big", "--data_path", "embedded"), 2,
                "semaim pretrain: --batch_size: expected an integer, got 'big'");
        assertOneLineError(run("pretrain", "--frobnicate"), 2, "semaim pretrain: unknown flag --frobnicate (see semaim pretrain --help)");
        assertOneLineError(run("pretrain"), 2,
                "semaim pretrain: --data_path is required: an image folder, a folder of MNIST/Fashion-MNIST IDX files, or 'embedded'");
        assertOneLineError(run("pretrain", "--data_path", dir.resolve("missing").toString()), 2,
                "semaim pretrain: --data_path " + dir.resolve("missing") + " does not exist");
        assertOneLineError(run("pretrain", "--data_path", "embedded", "--input_size", "30"), 2,
                "semaim pretrain: --input_size 30 is not a multiple of --patch_size 16");
        assertOneLineError(run("demo", "--minutes", "soon"), 2, "semaim demo: --minutes: expected a number, got 'soon'");
        // what the model itself refuses: exit 2 naming the flags (was exit 1, "error: AimConfig: gaussian_kernel_size 4 ...")
        Path out = dir.resolve("never");
        assertOneLineError(run("pretrain", "--data_path", "embedded", "--gaussian_kernel_size", "4", "--output_dir", out.toString()), 2,
                "semaim pretrain: --gaussian_kernel_size 4 must be 0 (off) or odd");
        assertOneLineError(run("pretrain", "--data_path", "embedded", "--model", "aim_tiny", "--embed_dim", "32", "--num_heads", "3",
                "--output_dir", out.toString()), 2, "semaim pretrain: --embed_dim 32 must be divisible by --num_heads 3");
        assertTrue(Files.notExists(out), "refused before the output folder is made");
    }

    /**
     * demo --output_dir D run twice silently continued the first demo (its time-fitted lr schedule warming up again) and
     * reported both runs' steps over this run's seconds; an earlier run's files are now refused, untouched.
     */
    @Test
    void demoRefusesAFolderHoldingAnEarlierRun() throws Exception {
        Path out = Files.createDirectories(dir.resolve("demo"));
        Files.writeString(out.resolve("log.txt"), "{}\n");
        assertOneLineError(run("demo", "--quick", "--output_dir", out.toString()), 2, "semaim demo: --output_dir " + out + " holds an "
                + "earlier run (log.txt), and a demo does not continue one (its lr schedule is fitted to its own time budget): give a new or "
                + "empty folder, or delete those files");
        assertEquals("{}\n", Files.readString(out.resolve("log.txt")));
    }

    @Test
    void emptyDataFolderExitsTwoNamingIt() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Run r = run("pretrain", "--data_path", empty.toString(), "--output_dir", dir.resolve("out").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("semaim pretrain: --data_path " + empty + ": image folder " + empty + " has no class sub-folders"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void truncatedCheckpointExitsOneNamingTheFile() throws Exception {
        Path ckpt = Files.write(dir.resolve("ck.safetensors"), new byte[] {1, 2, 3});
        Run r = run("pretrain", "--data_path", "embedded", "--resume", ckpt.toString(), "--output_dir", dir.resolve("out").toString(),
                "--input_size", "16", "--patch_size", "4", "--in_chans", "1", "--model", "aim_tiny", "--depth", "2", "--query_depth", "2",
                "--embed_dim", "32", "--num_heads", "2", "--epochs", "2", "--warmup_epochs", "1");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().startsWith("semaim pretrain: error: checkpoint " + ckpt + " is unreadable (truncated or corrupt?)"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    /** In a run of several processes every error names the process that printed it: mpirun interleaves their output. */
    @Test
    void errorsOfOneProcessOfSeveralNameItsRank() {
        assertEquals(" (rank 1 of 2)", Main.processOfRun(Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_RANK", "1")));
        assertEquals(" (rank 3 of 4)", Main.processOfRun(Map.of("SLURM_STEP_ID", "0", "SLURM_NTASKS", "4", "SLURM_PROCID", "3")));
        assertEquals("", Main.processOfRun(Map.of()));
        assertEquals("", Main.processOfRun(Map.of("OMPI_COMM_WORLD_SIZE", "1", "OMPI_COMM_WORLD_RANK", "0")));
        assertEquals("", Main.processOfRun(Map.of("OMPI_COMM_WORLD_SIZE", "2", "OMPI_COMM_WORLD_RANK", "7")), "an environment the run refuses");
    }
}
