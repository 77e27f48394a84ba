package dev.semaim.data;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Turns {@code --data_path} into a training set: the word {@code embedded} (the Fashion-MNIST slice on the
 * class path), a folder holding MNIST-style IDX files ({@code train-images-idx3-ubyte[.gz]} and
 * {@code train-labels-idx1-ubyte[.gz]}, e.g. Debian's {@code /usr/share/datasets/fashion-mnist}), or an
 * ImageNet-style folder ({@code <path>/train/<class>/<image>} when {@code <path>/train} exists, else
 * {@code <path>/<class>/<image>}).
 */
public final class TrainingData {
    public static final String EMBEDDED = "embedded";
    private static final float[] GREY_IMAGENET_MEAN = {0.449f};
    private static final float[] GREY_IMAGENET_STD = {0.226f};

    /** A resolved training set with the normalisation statistics that suit it. */
    public record Source(Dataset dataset, String description, float[] mean, float[] std) {
        /** The pre-training augmentation (spec section 6) at {@code inputSize}. */
        public Transform pretrainTransform(int inputSize) {
            return Transforms.pretrain(inputSize, mean, std);
        }
    }

    private TrainingData() {
    }

    /**
     * @param inChans 1 or 3: every image comes with that many channels (grey replicated to 3, colour reduced to
     *     its luma for 1)
     * @param warnings receives one line per unreadable image file (the file is skipped)
     * @throws IllegalArgumentException naming {@code --data_path} for a missing path or an unusable folder
     */
    public static Source open(String dataPath, int inChans, Consumer<String> warnings) throws IOException {
        return open(dataPath, "--data_path", inChans, warnings);
    }

    /** {@link #open(String, int, Consumer)} for a command whose flag for the data is {@code flag} (named in every error). */
    public static Source open(String dataPath, String flag, int inChans, Consumer<String> warnings) throws IOException {
        if (inChans != 1 && inChans != 3) {
            throw new IllegalArgumentException("--in_chans must be 1 or 3 for image data, got " + inChans);
        }
        if (dataPath.equals(EMBEDDED)) {
            return new Source(EmbeddedFashionMnist.train(inChans), "embedded Fashion-MNIST slice",
                    Transforms.FASHION_MNIST_MEAN, Transforms.FASHION_MNIST_STD);
        }
        Path path = Path.of(dataPath);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException(flag + " " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException(flag + " " + path + " is not a folder");
        }
        Optional<Path> images = idxFile(path, "train-images-idx3-ubyte");
        if (images.isPresent()) {
            Path labels = idxFile(path, "train-labels-idx1-ubyte").orElseThrow(() -> new IllegalArgumentException(
                    flag + " " + path + " has " + images.get().getFileName() + " but no train-labels-idx1-ubyte[.gz]"));
            boolean fashion = path.toString().toLowerCase(Locale.ROOT).contains("fashion");
            List<String> classes = fashion ? IdxDataset.FASHION_MNIST_CLASSES
                    : IntStream.range(0, 10).mapToObj(Integer::toString).toList();
            return new Source(IdxDataset.open(images.get(), labels, classes, inChans), "IDX files in " + path,
                    Transforms.FASHION_MNIST_MEAN, Transforms.FASHION_MNIST_STD);
        }
        Path root = Files.isDirectory(path.resolve("train")) ? path.resolve("train") : path;
        ImageDecoder decoder = new ImageDecoder(inChans);
        try {
            Dataset ds = new ImageFolderDataset(root, decoder, warnings);
            return new Source(ds, "image folder " + root + " (" + ds.size() + " images, " + ds.numClasses() + " classes)",
                    inChans == 3 ? Transforms.IMAGENET_MEAN : GREY_IMAGENET_MEAN, inChans == 3 ? Transforms.IMAGENET_STD : GREY_IMAGENET_STD);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + path + ": " + e.getMessage()
                    + " (or give a folder with train-images-idx3-ubyte[.gz] IDX files, or 'embedded')", e);
        }
    }

    /** The file in {@code dir} named {@code stem} or {@code stem.gz}. */
    private static Optional<Path> idxFile(Path dir, String stem) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return Files.isRegularFile(p) && (n.equals(stem) || n.equals(stem + ".gz"));
            }).sorted().findFirst();
        }
    }
}
