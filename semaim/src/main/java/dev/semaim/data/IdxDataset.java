package dev.semaim.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * An IDX image/label pair held in memory (MNIST, Fashion-MNIST). Samples are uint8 grey images of shape
 * (1, rows, cols), or replicated to (3, rows, cols) when built with 3 channels.
 */
public final class IdxDataset implements Dataset {
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
            "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final IdxImages images;
    private final int[] labels;
    private final List<String> classNames;
    private final int channels;

    /**
     * @param channels 1 (keep grey) or 3 (replicate, for models with 3 input channels)
     */
    public IdxDataset(IdxImages images, int[] labels, List<String> classNames, int channels) {
        if (images.count() != labels.length) {
            throw new IllegalArgumentException(images.count() + " images but " + labels.length + " labels");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " >= " + classNames.size() + " classes");
            }
        }
        this.images = images;
        this.labels = labels.clone();
        this.classNames = List.copyOf(classNames);
        this.channels = channels;
    }

    /** Reads an images file and a labels file (each gzipped or raw). */
    public static IdxDataset open(Path imagesFile, Path labelsFile, List<String> classNames, int channels) throws IOException {
        return new IdxDataset(IdxReader.readImages(imagesFile), IdxReader.readLabels(labelsFile), classNames, channels);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Sample get(int index) {
        Image grey = images.image(index);
        return new Sample(channels == 1 ? grey : grey.replicateChannels(channels), labels[index]);
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    public int[] labels() {
        return labels.clone();
    }
}
