package dev.semaim.data;

/** The recipe pipelines (spec sections 6, 8, 9) and dataset statistics. */
public final class Transforms {
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};
    /** Fashion-MNIST single-channel statistics; {@link Normalize} broadcasts them over replicated channels. */
    public static final float[] FASHION_MNIST_MEAN = {0.2860f};
    public static final float[] FASHION_MNIST_STD = {0.3530f};

    /** Eval resize = crop / 0.875 (256 for 224), torchvision {@code int(size / 0.875)}. */
    static final double EVAL_CROP_FRACTION = 0.875;

    private Transforms() {
    }

    /**
     * Pre-training (spec 6): RandomResizedCrop(size, scale (0.2, 1.0), ratio (3/4, 4/3), bicubic) ->
     * HorizontalFlip(0.5) -> ToTensor -> Normalize(mean, std), fused into one pass ({@link ResizedCropFlipNormalize},
     * identical output).
     */
    public static Transform pretrain(int size, float[] mean, float[] std) {
        return new ResizedCropFlipNormalize(new RandomResizedCrop(size, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0), 0.5, mean, std);
    }

    /** Evaluation (spec 7, 9): Resize(int(size / 0.875), bicubic) -> CenterCrop(size) -> ToTensor -> Normalize. */
    public static Transform eval(int size, float[] mean, float[] std) {
        return eval(size, EVAL_CROP_FRACTION, mean, std);
    }

    /** As {@link #eval(int, float[], float[])} with another crop fraction (timm's crop_pct; 1 = resize to the crop size). */
    public static Transform eval(int size, double cropFraction, float[] mean, float[] std) {
        if (!(cropFraction > 0 && cropFraction <= 1)) {
            throw new IllegalArgumentException("--crop_pct must lie in (0, 1], got " + cropFraction);
        }
        return new Compose(new Resize((int) (size / cropFraction)), new CenterCrop(size), new ToTensor(),
                new Normalize(mean, std));
    }

    /** Linear-probe training (spec 8): Resize(size, bicubic) -> RandomCrop(size) -> HorizontalFlip(0.5) -> ToTensor -> Normalize. */
    public static Transform linprobeTrain(int size, float[] mean, float[] std) {
        return new Compose(new Resize(size), new RandomCrop(size), new HorizontalFlip(0.5), new ToTensor(),
                new Normalize(mean, std));
    }
}
