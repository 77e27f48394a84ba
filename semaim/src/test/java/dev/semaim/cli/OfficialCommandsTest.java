package dev.semaim.cli;

import dev.semaim.data.augment.ErasingMode;
import dev.semaim.data.augment.MixupMode;
import dev.semaim.eval.EvalOptions;
import dev.semaim.run.RunFiles;
import dev.semaim.settings.Device;
import dev.semaim.settings.Schema;
import dev.semaim.train.PretrainOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 18 item 3: the four commands of the official SemAIM README parse as published (only the placeholders filled,
 * and the {@code --local_rank=0} that {@code torch.distributed.launch} passes in front), to the settings they name;
 * every flag of the official {@code main_pretrain.py}, {@code main_finetune.py}, {@code main_linprobe.py} and
 * {@code main_knn.py} is declared; the ones without effect here print a one-line note, the ones not built refuse
 * with one line naming what is missing.
 */
class OfficialCommandsTest {
    private static final String DATA = "/data/imagenet", OUT = "/runs/out", LOG = "/runs/log", CKPT = "/ckpt/semaim.pth";

    // The README's four commands, character for character (its "<log-directory" lacks the closing '>').
    private static final String PRETRAIN = """
            python -m torch.distributed.launch --nproc_per_node 8 --nnodes 4 --node_rank 0 \\
                main_pretrain.py \\
                --batch_size 64 --epochs 800 --accum_iter 1 \\
                --model aim_base --query_depth 12 --prediction_head_type MLP \\
                --gaussian_kernel_size 9 --gaussian_sigma 1 --norm_pix_loss \\
                --permutation_type attention_center --attention_type cls \\
                --blr 2e-4 --warmup_epochs 30 --weight_decay 0.05 --clip_grad 3 \\
                --data_path <imagenet-path> --output_dir <output-directory> \\
                --log_dir <log-directory --experiment exp0 \\
            """;
    private static final String FINETUNE = """
            python -m torch.distributed.launch --nproc_per_node 8 --nnodes 2 --node_rank 0 \\
                main_finetune.py \\
                --model vit_base_patch16 --batch_size 64 --accum_iter 1 \\
                --blr 5e-4 --layer_decay 0.65 --epochs 100 --warmup_epochs 20 \\
                --weight_decay 0.05 --drop_path 0.1 --reprob 0.25 --mixup 0.8 --cutmix 1.0 \\
                --dist_eval --data_path <imagenet-path> \\
                --finetune <pretrained-ckpt> --output_dir <output-directory> \\
                --log_dir <log-directory --experiment exp0 \\
            """;
    private static final String LINPROBE = """
            python -m torch.distributed.launch --nproc_per_node 8 main_linprobe.py \\
                --model vit_base_patch16 --cls_token --batch_size 512 \\
                --blr 0.1 --epochs 90 --warmup_epochs 0 --weight_decay 0.0 \\
                --dist_eval --data_path <imagenet-path> \\
                --finetune <pretrained-ckpt> --output_dir <output-directory> \\
                --log_dir <log-directory --experiment exp0 \\
            """;
    private static final String KNN = """
            python3 -m torch.distributed.launch --nproc_per_node=8 main_knn.py \\
            --model vit_large_patch16 --global_pool \\
            --batch_size_per_gpu 512 \\
            --pretrained_weights <pretrained-ckpt> \\
            --checkpoint_key state_dict \\
            --data_path <imagenet-path> \\
            --use_cuda \\
            """;

    /**
     * The flags of the four official scripts (their argparse declarations), by script.
     */
    static final Map<String, List<String>> OFFICIAL_FLAGS = Map.of(
            "pretrain", List.of("batch_size", "epochs", "accum_iter", "model", "input_size", "query_depth", "share_weight",
                    "prediction_head_type", "gaussian_kernel_size", "gaussian_sigma", "loss_type", "norm_pix_loss", "permutation_type",
                    "use_ema_model", "predict_feature", "attention_type", "weight_decay", "clip_grad", "lr", "blr", "min_lr",
                    "warmup_epochs", "not_use_fp16", "data_path", "output_dir", "log_dir", "saveckp_freq", "experiment", "device",
                    "seed", "resume", "start_epoch", "num_workers", "pin_mem", "world_size", "local_rank", "dist_on_itp", "dist_url"),
            "finetune", List.of("batch_size", "epochs", "accum_iter", "model", "input_size", "drop_path", "clip_grad", "weight_decay",
                    "lr", "blr", "layer_decay", "min_lr", "warmup_epochs", "color_jitter", "aa", "smoothing", "reprob", "remode",
                    "recount", "resplit", "mixup", "cutmix", "cutmix_minmax", "mixup_prob", "mixup_switch_prob", "mixup_mode",
                    "finetune", "global_pool", "cls_token", "data_path", "nb_classes", "output_dir", "log_dir", "saveckp_freq",
                    "device", "seed", "resume", "experiment", "start_epoch", "eval", "dist_eval", "num_workers", "pin_mem",
                    "no_pin_mem", "world_size", "local_rank", "dist_on_itp", "dist_url", "dist_backend"),
            "linprobe", List.of("batch_size", "epochs", "accum_iter", "model", "weight_decay", "lr", "blr", "min_lr", "warmup_epochs",
                    "finetune", "global_pool", "cls_token", "data_path", "nb_classes", "output_dir", "log_dir", "device", "seed",
                    "resume", "experiment", "start_epoch", "eval", "dist_eval", "num_workers", "pin_mem", "no_pin_mem", "world_size",
                    "local_rank", "dist_on_itp", "dist_url", "dist_backend"),
            "knn", List.of("input_size", "batch_size_per_gpu", "nb_knn", "nb_classes", "temperature", "pretrained_weights", "use_cuda",
                    "model", "checkpoint_key", "patch_size", "avgpool_patchtokens", "global_pool", "dump_features", "load_features",
                    "num_workers", "dist_url", "dist_backend", "dist_on_itp", "local_rank", "data_path", "method"));

    private static final Map<String, Schema<?>> SCHEMAS = Map.of("pretrain", PretrainOptions.SCHEMA, "finetune", EvalOptions.FINETUNE,
            "linprobe", EvalOptions.LINPROBE, "knn", EvalOptions.KNN);

    /** The arguments after {@code main_*.py}, placeholders filled, behind the launcher's {@code --local_rank=0}. */
    static List<String> scriptArgs(String readme) {
        String filled = readme.replace("<imagenet-path>", DATA).replace("<output-directory>", OUT).replace("<log-directory", LOG)
                .replace("<pretrained-ckpt>", CKPT).replace("\\\n", " ");
        List<String> words = Arrays.asList(filled.trim().split("\\s+"));
        int script = 0;
        while (!words.get(script).endsWith(".py")) {
            script++;
        }
        List<String> args = new ArrayList<>(List.of("--local_rank=0"));
        args.addAll(words.subList(script + 1, words.size()));
        return args;
    }

    /** Parses as the command line does; the notes it prints go to {@code notes}. */
    private static <O> O parse(FlagCommand<O> command, List<String> args, List<String> notes) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        O o = command.parse(args, new PrintStream(err, true, StandardCharsets.UTF_8));
        err.toString(StandardCharsets.UTF_8).lines().forEach(notes::add);
        return o;
    }

    private static <O> O parse(FlagCommand<O> command, String... args) {
        return parse(command, List.of(args), new ArrayList<>());
    }

    private static String refusal(FlagCommand<?> command, String... args) {
        return assertThrows(UsageException.class, () -> parse(command, args)).getMessage();
    }

    @Test
    void readmePretrainCommandParsesToItsSettings() {
        PretrainOptions o = parse(new PretrainCommand(), scriptArgs(PRETRAIN), new ArrayList<>());
        o.validate();
        assertEquals(64, o.batchSize);
        assertEquals(800, o.epochs);
        assertEquals(1, o.accumIter);
        assertEquals(0, o.localRank);
        assertEquals(1, o.worldSize);
        Map<String, Object> rec = o.asMap();
        assertEquals("aim_base", rec.get("model"));
        assertEquals(12, rec.get("query_depth"));
        assertEquals("MLP", rec.get("prediction_head_type"));
        assertEquals(9, rec.get("gaussian_kernel_size"));
        assertEquals(1.0, rec.get("gaussian_sigma"));
        assertEquals(true, rec.get("norm_pix_loss"));
        assertEquals("attention_center", rec.get("permutation_type"));
        assertEquals("cls", rec.get("attention_type"));
        assertEquals(2e-4, o.blr);
        assertEquals(2e-4 * 64 / 256, rec.get("lr")); // one process: effective batch 64
        assertEquals(30.0, o.warmupEpochs);
        assertEquals(0.05, o.weightDecay);
        assertEquals(3.0, o.clipGrad);
        assertEquals(DATA, o.dataPath);
        assertEquals(Path.of(OUT), o.outputDir);
        assertEquals(Path.of(LOG), o.logDir);
        assertEquals("exp0", o.experiment);
        assertEquals(12, o.modelConfig().depth());
        RunFiles files = o.files(o.model, "temp");
        assertEquals(Path.of(OUT, "aim_base.exp0.temp.safetensors"), files.latestCheckpoint());
        assertEquals(Path.of(OUT, "aim_base.exp0.0800.safetensors"), files.numberedCheckpoint(800));
        assertEquals(Path.of(OUT, "aim_base.exp0.log.txt"), files.logFile());
        assertEquals(Path.of(LOG, "aim_base.exp0"), files.tensorBoardFolder());
    }

    @Test
    void readmeFinetuneCommandParsesToItsSettings() {
        EvalOptions o = parse(new FinetuneCommand(), scriptArgs(FINETUNE), new ArrayList<>());
        o.validate();
        assertEquals("vit_base_patch16", o.model);
        assertEquals(64, o.batchSize);
        assertEquals(1, o.accumIter);
        assertEquals(5e-4, o.blr);
        assertEquals(0.65, o.layerDecay);
        assertEquals(100, o.epochs);
        assertEquals(20.0, o.warmupEpochs);
        assertEquals(0.05, o.weightDecay);
        assertEquals(0.1, o.dropPath);
        assertEquals(0.25, o.reprob);
        assertEquals(0.8, o.mixup);
        assertEquals(1.0, o.cutmix);
        assertTrue(o.distEval);
        assertTrue(o.globalPool, "the official fine-tuning pools globally unless --cls_token");
        assertEquals(DATA, o.dataPath);
        assertEquals(Path.of(CKPT), o.finetune);
        assertEquals("exp0", o.experiment);
        assertEquals(Path.of(OUT, "vit_base_patch16.exp0.temp.safetensors"), o.files().latestCheckpoint());
        assertEquals(Path.of(OUT, "vit_base_patch16.exp0.results.json"), o.files().results());
        assertEquals(Path.of(LOG, "vit_base_patch16.exp0"), o.files().tensorBoardFolder());
    }

    @Test
    void readmeLinprobeCommandParsesToItsSettings() {
        EvalOptions o = parse(new LinprobeCommand(), scriptArgs(LINPROBE), new ArrayList<>());
        o.validate();
        assertEquals("vit_base_patch16", o.model);
        assertFalse(o.globalPool);
        assertEquals(512, o.batchSize);
        assertEquals(0.1, o.blr);
        assertEquals(90, o.epochs);
        assertEquals(0.0, o.warmupEpochs);
        assertEquals(0.0, o.weightDecay);
        assertTrue(o.distEval);
        assertEquals(Path.of(CKPT), o.finetune);
        assertEquals(Path.of(OUT, "vit_base_patch16.exp0.linear.safetensors"), o.files().latestCheckpoint(),
                "main_linprobe.py's rolling checkpoint is <model>.<experiment>.linear");
        assertEquals(Path.of(OUT, "vit_base_patch16.exp0.log.txt"), o.files().logFile());
    }

    @Test
    void readmeKnnCommandParsesToItsSettings() {
        EvalOptions o = parse(new KnnCommand(), scriptArgs(KNN), new ArrayList<>());
        o.validate();
        assertEquals("vit_large_patch16", o.model);
        assertEquals(1024, o.vitSpec().embedDim());
        assertTrue(o.globalPool);
        assertEquals(512, o.batchSize);
        assertEquals(Path.of(CKPT), o.finetune);
        assertEquals("state_dict", o.checkpointKey);
        assertEquals(DATA, o.dataPath);
        assertEquals(Device.CUDA, o.device);
        assertArrayEquals(new int[] {10, 20, 30}, o.knnK);
        assertNull(o.experiment);
        assertEquals(Path.of("./output_dir", "results.json"), o.files().results());
    }

    /** A guard for later changes: every official flag stays declared. */
    @Test
    void everyOfficialFlagIsDeclared() {
        OFFICIAL_FLAGS.forEach((command, flags) -> {
            for (String flag : flags) {
                SCHEMAS.get(command).setting(flag); // throws "no setting --x for command"
            }
        });
    }

    @Test
    void flagsWithoutEffectHereSayOneLineEach() {
        List<String> notes = new ArrayList<>();
        parse(new FinetuneCommand(), List.of("--data_path", "embedded", "--pin_mem", "--no_pin_mem", "--resplit", "--dist_backend", "gloo",
                "--color_jitter", "0.4"), notes);
        assertEquals(List.of(
                "note: --pin_mem has no effect here: the data loader's batches are Java arrays, copied to the device by the backend; "
                        + "there is no pinned memory to ask for",
                "note: --no_pin_mem has no effect here: the data loader's batches are Java arrays, copied to the device by the backend; "
                        + "there is no pinned memory to ask for",
                "note: --resplit has no effect here: there are no augmentation splits, as in the official transform, which builds none either",
                "note: --dist_backend has no effect here: the official code sets nccl whatever is given, and multi-process runs here do "
                        + "not use torch.distributed",
                "note: --color_jitter has no effect while --aa is on (timm applies colour jitter only without RandAugment)"), notes);
        notes.clear();
        EvalOptions knn = parse(new KnnCommand(), List.of("--data_path", "embedded", "--avgpool_patchtokens", "1", "--method", "dino"), notes);
        assertEquals(List.of("note: --avgpool_patchtokens has no effect here: the official main_knn.py ignores it too; --global_pool "
                        + "(mean patch token) or --cls_token chooses the feature",
                "note: --method has no effect here: the official main_knn.py never reads it"), notes);
        assertEquals(1, knn.noEffect.get("avgpool_patchtokens"));
        assertEquals("dino", knn.noEffect.get("method"));
        notes.clear();
        parse(new PretrainCommand(), List.of("--data_path", "embedded", "--model", "aim_tiny"), notes);
        assertEquals(List.of(), notes, "no note without such flags");
    }

    @Test
    void refusalsAreOneLineAndTimmsOtherModesParse() {
        assertEquals("--share_weight is not built here: the official share_weight=True path is broken (its query blocks would get "
                + "their input as the attention mask, spec section 12.4), so there is no behaviour to reproduce; leave it off",
                refusal(new PretrainCommand(), "--data_path", "embedded", "--share_weight"));
        assertEquals("--cutmix_minmax must be two fractions 0 <= MIN < MAX <= 1, got 0.8,0.2",
                refusal(new FinetuneCommand(), "--data_path", "embedded", "--cutmix_minmax", "0.8", "0.2"));
        EvalOptions v0 = parse(new FinetuneCommand(), "--data_path", "embedded", "--aa", "v0");
        assertEquals("--aa: RandAugment config 'v0' must start with 'rand' (timm's rand-m9-mstd0.5-inc1 form; AutoAugment and AugMix "
                + "policies are not built)", assertThrows(IllegalArgumentException.class, v0::validate).getMessage());
        // timm's other erasing fills and counts, and mixup modes
        EvalOptions fine = parse(new FinetuneCommand(), "--data_path", "embedded", "--remode", "const", "--recount", "3", "--mixup_mode", "pair",
                "--aa", "rand-m9-mstd0.5");
        fine.validate();
        assertEquals(ErasingMode.CONST, fine.remode);
        assertEquals(3, fine.recount);
        assertEquals(MixupMode.PAIR, fine.mixupMode);
        assertArrayEquals(new double[] {0.2, 0.8}, parse(new FinetuneCommand(), "--data_path", "embedded", "--cutmix_minmax", "0.2", "0.8")
                .cutmixMinmax);
        List<String> notes = new ArrayList<>();
        EvalOptions jitter = parse(new FinetuneCommand(), List.of("--data_path", "embedded", "--aa", "none", "--color_jitter", "0.4"), notes);
        jitter.validate();
        assertEquals(0.4, jitter.colorJitter);
        assertEquals(List.of(), notes, "with --aa none colour jitter has its effect: no note");
    }

    @Test
    void knnSpellingsOfTheOfficialScript() {
        EvalOptions o = parse(new KnnCommand(), "--data_path", "embedded", "--nb_knn", "5", "20", "--temperature", "0.1",
                "--batch_size_per_gpu", "32", "--pretrained_weights", "w.pth", "--avgpool_patchtokens", "0");
        assertArrayEquals(new int[] {5, 20}, o.knnK);
        assertEquals(0.1, o.temperature);
        assertEquals(32, o.batchSize);
        assertEquals(Path.of("w.pth"), o.finetune);
        assertEquals(Device.CPU, o.device, "without --use_cuda the device is --device's");
        assertArrayEquals(new int[] {5, 20}, parse(new KnnCommand(), "--data_path", "embedded", "--nb_knn=5,20").knnK);
        assertEquals("--use_cuda and --device exclude each other",
                refusal(new KnnCommand(), "--data_path", "embedded", "--use_cuda", "--device", "cpu"));
        assertEquals("--finetune and --pretrained_weights set the same setting",
                refusal(new KnnCommand(), "--data_path", "embedded", "--finetune", "a.pth", "--pretrained_weights", "b.pth"));
        assertEquals("--avgpool_patchtokens must be 0, 1 or 2, got 3",
                refusal(new KnnCommand(), "--data_path", "embedded", "--avgpool_patchtokens", "3"));
    }

    @Test
    void anExperimentNameIsAFileNamePart() {
        assertEquals("--experiment must be letters, digits and . _ + - (it becomes part of file names), got ../x",
                refusal(new PretrainCommand(), "--data_path", "embedded", "--experiment", "../x"));
    }

    @Test
    void startEpochMustLieWithinTheRun() {
        PretrainOptions o = parse(new PretrainCommand(), "--data_path", "embedded", "--epochs", "5", "--start_epoch", "5");
        assertEquals("--start_epoch 5 must be smaller than --epochs 5", assertThrows(IllegalArgumentException.class, o::validate).getMessage());
    }

    @Test
    void saveckpFreqIsSaveEveryEpochs() {
        assertEquals(5, parse(new PretrainCommand(), "--data_path", "embedded", "--saveckp_freq", "5").saveEveryEpochs);
        assertEquals(20, parse(new PretrainCommand(), "--data_path", "embedded").saveEveryEpochs);
        assertEquals(10, parse(new FinetuneCommand(), "--data_path", "embedded", "--saveckp_freq", "10").saveEveryEpochs);
        assertEquals(0, parse(new FinetuneCommand(), "--data_path", "embedded").saveEveryEpochs, "fine-tuning: numbered only at the end");
    }
}
