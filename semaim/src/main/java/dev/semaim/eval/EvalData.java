package dev.semaim.eval;

import dev.semaim.data.Dataset;
import dev.semaim.data.EmbeddedFashionMnist;
import dev.semaim.data.IdxDataset;
import dev.semaim.data.ImageDecoder;
import dev.semaim.data.ImageFolderDataset;
import dev.semaim.data.TrainingData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The two splits an evaluation protocol needs from {@code --data_path}: the training split as
 * {@link TrainingData} resolves it, and the HELD-OUT split — {@code t10k-*} IDX files next to the
 * {@code train-*} ones, {@code <path>/val} for an image folder, the embedded test slice for {@code embedded}.
 * The reference fine-tuning script evaluates on its training folder (spec section 12.2); here a data path
 * without a held-out split is an error rather than a silent train-set evaluation.
 */
public record EvalData(TrainingData.Source train, Dataset heldOut, String heldOutDescription) {

    public static EvalData open(String dataPath, int inChans, Consumer<String> warnings) throws IOException {
        TrainingData.Source train = TrainingData.open(dataPath, inChans, warnings);
        if (dataPath.equals(TrainingData.EMBEDDED)) {
            return new EvalData(train, EmbeddedFashionMnist.test(inChans), "embedded Fashion-MNIST test slice");
        }
        Path path = Path.of(dataPath);
        Path images = idxFile(path, "t10k-images-idx3-ubyte");
        if (Files.isRegularFile(path.resolve("train-images-idx3-ubyte")) || Files.isRegularFile(path.resolve("train-images-idx3-ubyte.gz"))) {
            Path labels = idxFile(path, "t10k-labels-idx1-ubyte");
            if (images == null || labels == null) {
                throw new IllegalArgumentException("--data_path " + path + " has train-* IDX files but no t10k-images-idx3-ubyte[.gz] and "
                        + "t10k-labels-idx1-ubyte[.gz]: evaluation needs the held-out split");
            }
            List<String> classes = train.dataset().classNames();
            return new EvalData(train, IdxDataset.open(images, labels, classes, inChans), "IDX files " + images.getFileName());
        }
        Path val = path.resolve("val");
        if (!Files.isDirectory(val)) {
            throw new IllegalArgumentException("--data_path " + path + " has no val/ folder: evaluation needs the held-out split "
                    + "(the reference's evaluation on train/ is a bug, spec section 12.2)");
        }
        ImageDecoder decoder = new ImageDecoder(inChans);
        Dataset ds = new ImageFolderDataset(val, decoder, warnings);
        if (!ds.classNames().equals(train.dataset().classNames())) {
            throw new IllegalArgumentException("--data_path " + path + ": val/ has classes " + ds.classNames()
                    + " but the training split has " + train.dataset().classNames());
        }
        return new EvalData(train, ds, "image folder " + val + " (" + ds.size() + " images)");
    }

    /** {@code dir/stem} or {@code dir/stem.gz}, or null. */
    private static Path idxFile(Path dir, String stem) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isRegularFile(p)
                    && (p.getFileName().toString().equals(stem) || p.getFileName().toString().equals(stem + ".gz")))
                    .sorted().findFirst().orElse(null);
        }
    }
}
