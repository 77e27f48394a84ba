package dev.semaim.cli;

import dev.semaim.nn.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user of {@code semaim knn} sees where flags and data disagree: more neighbours than training images,
 * --nb_classes below the data's classes, a --dump_features path that cannot hold the dump, model flags beside
 * --load_features. A random tiny ViT on 40 + 20 embedded images: the votes, not the accuracy, are under test.
 */
class KnnCommandTest {
    @TempDir
    Path dir;

    private static final String[] TINY = {"--model", "vit_tiny_patch4", "--input_size", "16", "--in_chans", "1", "--embed_dim", "32",
            "--depth", "2", "--num_heads", "2", "--data_path", "embedded", "--num_workers", "0",
            "--max_train_images", "40", "--max_eval_images", "20"};

    private static MainTest.Run knn(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("knn"));
        args.addAll(Arrays.asList(TINY));
        args.addAll(List.of("--output_dir", out.toString()));
        args.addAll(Arrays.asList(more));
        return MainTest.run(args.toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> results(Path out) throws Exception {
        return (Map<String, Object>) Json.parse(Files.readString(out.resolve("results.json")));
    }

    /** A features cache cut short (a kill while it was written, a full disk) is extracted again with a warning, not a failed run. */
    @Test
    void aDamagedFeaturesCacheIsExtractedAgain() throws Exception {
        Path out = dir.resolve("knn");
        MainTest.Run first = knn(out);
        assertEquals(0, first.status(), first.out() + first.err());
        Object top1 = results(out).get("knn20_top1");
        Path cache = out.resolve("features-train.safetensors");
        Files.write(cache, Arrays.copyOf(Files.readAllBytes(cache), 100));
        MainTest.Run damaged = knn(out);
        assertEquals(0, damaged.status(), damaged.out() + damaged.err());
        assertTrue(damaged.err().contains("warning: ignoring " + cache + " (unreadable: ") && damaged.out().contains("reusing the val features")
                && !damaged.out().contains("reusing the train features"), damaged.out() + damaged.err());
        assertEquals(top1, results(out).get("knn20_top1"), "the same features again");
        MainTest.Run again = knn(out);
        assertTrue(again.out().contains("reusing the train features"), again.out());
    }

    /** --nb_knn 500 of 40 training images: 40 vote, and the output and results.json say so (it printed "500-NN"). */
    @Test
    void moreNeighboursThanTrainingImagesVoteAsTheImagesThereAreAndSaySo() throws Exception {
        Path out = dir.resolve("knn");
        MainTest.Run r = knn(out, "--nb_knn", "10,500");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("note: --nb_knn 500 is more than the 40 training images: k = 40"), r.err());
        assertFalse(r.out().contains("500-NN"), r.out());
        assertTrue(r.out().contains("40-NN classifier result (--nb_knn 500): Top1: ") && r.out().contains("selection of the 40 nearest")
                && r.out().contains("10-NN classifier result: Top1: "), r.out());
        Map<String, Object> json = results(out);
        assertTrue(json.containsKey("knn500_top1") && json.containsKey("knn10_top1"), json.toString());
        assertEquals(40, ((Number) json.get("knn500_k_used")).intValue());
        assertFalse(json.containsKey("knn10_k_used"), json.toString());
        List<String> log = Files.readAllLines(out.resolve("log.txt"));
        assertTrue(log.get(1).startsWith("{\"k\": 500, \"k_used\": 40, ") && !log.get(0).contains("k_used"), log.toString());
    }

    /** knn took --nb_classes 3 on 10-class data, voted over 10 and recorded 3; now refused as finetune/linprobe refuse it. */
    @Test
    void fewerClassesThanTheDataHasAreRefusedAsForAClassifier() throws Exception {
        MainTest.Run r = knn(dir.resolve("knn"), "--nb_classes", "3");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().endsWith("semaim knn: --nb_classes 3 but --data_path embedded has 10 classes" + System.lineSeparator()), r.err());
        assertFalse(Files.exists(dir.resolve("knn/results.json")));
    }

    /**
     * --dump_features naming a file failed after every feature was extracted, with the bare path as the message; now
     * it is a usage error before any work. --load_features votes with the model flags of the dumping run (even a model
     * this program does not build: they are unused, as the help says), and --nb_classes is checked against its labels.
     */
    @Test
    void dumpAndLoadFeaturesCheckTheirFolderAndIgnoreTheModelFlags() throws Exception {
        Path file = dir.resolve("m.pth");
        Files.writeString(file, "not a folder");
        MainTest.Run r = knn(dir.resolve("refused"), "--dump_features", file.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals("semaim knn: --dump_features " + file + " cannot hold the dump ({trainfeat,testfeat,trainlabels,testlabels}"
                + ".safetensors): " + file.toAbsolutePath() + " is a file, not a folder" + System.lineSeparator(), r.err());
        assertFalse(r.out().contains("features:"), "refused before any feature is extracted: " + r.out());
        r = knn(dir.resolve("refused"), "--dump_features", file.resolve("sub").toString());
        assertEquals(2, r.status(), r.out() + r.err());

        Path dump = dir.resolve("dump");
        r = knn(dir.resolve("dumping"), "--dump_features", dump.toString(), "--nb_knn", "5");
        assertEquals(0, r.status(), r.out() + r.err());
        Path again = dir.resolve("again");
        r = MainTest.run("knn", "--load_features", dump.toString(), "--model", "vit_huge", "--embed_dim", "7", "--nb_knn", "5",
                "--output_dir", again.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("vit_huge", results(again).get("model"));
        assertEquals(results(dir.resolve("dumping")).get("knn5_top1"), results(again).get("knn5_top1"));
        r = MainTest.run("knn", "--load_features", dump.toString(), "--nb_classes", "1", "--output_dir", again.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().startsWith("semaim knn: --nb_classes 1 but --load_features " + dump + " has "), r.err());
    }
}
