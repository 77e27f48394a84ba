package dev.semaim.data;

import dev.semaim.nn.io.Safetensors;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small batch of model inputs for inspection, with the normalisation that made them (so pictures can
 * undo it). mean/std are null when unknown (images given as a tensor): pictures then stretch each image
 * to its own range.
 *
 * @param images (B, C, H, W) normalised images
 */
public record SampleImages(Tensor images, float[] mean, float[] std, String description) {

    /**
     * The first {@code count} images of a {@code --data} source (the pretrain command's forms: 'embedded', an
     * IDX folder or an image folder), deterministically resized and centre-cropped to {@code size} and normalised
     * with the source's statistics.
     */
    public static SampleImages fromData(String data, int count, int size, int channels) throws IOException {
        TrainingData.Source src = TrainingData.open(data, "--data", channels, w -> { });
        Dataset ds = src.dataset();
        if (ds.size() < count)
            throw new IllegalArgumentException("--data " + data + " holds " + ds.size() + " images, fewer than --num_images " + count);
        Transform t = new Compose(new Resize(size), new CenterCrop(size), new ToTensor(), new Normalize(src.mean(), src.std()));
        float[] all = new float[count * channels * size * size];
        for (int i = 0; i < count; i++) {
            Image im = t.apply(ds.get(i).image(), null);
            System.arraycopy(im.data(), 0, all, i * im.data().length, im.data().length);
        }
        return new SampleImages(Tensor.of(all, count, channels, size, size), src.mean(), src.std(),
                count + " images of " + src.description());
    }

    /** The tensor named 'input' (B, C, H, W) of a safetensors file (an audit dump or a golden fixture). */
    public static SampleImages fromFile(Path file, String flag) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(flag + " " + file + " does not exist");
        Tensor input = Safetensors.read(file).tensors().get("input");
        if (input == null || input.rank() != 4)
            throw new IllegalArgumentException(flag + " " + file + " has no (B, C, H, W) tensor named 'input'"
                    + (input == null ? "" : " (it is " + Shape.str(input.shape()) + ")"));
        if (input.size(0) == 0)
            throw new IllegalArgumentException(flag + " " + file + " holds no images (its 'input' is " + Shape.str(input.shape()) + ")");
        return new SampleImages(input, null, null, "'input' of " + file);
    }
}
