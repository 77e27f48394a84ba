package dev.semaim.data.augment;

import dev.semaim.data.Batch;
import dev.semaim.data.CropBox;

import java.util.random.RandomGenerator;

/**
 * timm's {@code Mixup} with label smoothing folded into the soft targets (spec section 7: mode 'batch', mixup alpha
 * 0.8, cutmix alpha 1.0, prob 1.0, switch prob 0.5, smoothing 0.1). Every image b of the batch is mixed with image
 * B-1-b (the batch flipped): in mode 'batch' all with one lambda; in 'pair' and 'elem' ({@link MixupMode}) with a
 * lambda per pair or per image.
 *
 * <p>Draws per batch ('batch'): {@code u ~ U[0,1)}, mixing only when {@code u < prob}; then (when both alphas are
 * positive) cutmix when {@code u' < switchProb}; lambda ~ Beta(alpha, alpha) of the chosen method. Cutmix then draws the
 * box centre cy ~ randint(0, H), cx ~ randint(0, W) and replaces lambda by the area-corrected value. Per element
 * ('pair', 'elem'; n = B/2 or B, timm's {@code _params_per_elem}): n switch draws (both alphas positive), n cutmix and
 * n mixup lambdas (each alpha that is positive), n prob draws; then per element with lambda != 1 and cutmix, its box
 * centre. Arithmetic is float32 as torch's.
 */
public final class Mixup {
    /**
     * A mixed batch: images (B, C, H, W), targets (B, numClasses), the lambda used (corrected for cutmix; 1 when
     * nothing was mixed; per image in {@code lambdas}, which in mode 'batch' all equal it), and the pasted region for
     * cutmix in mode 'batch' (null otherwise).
     */
    public record Result(float[] images, float[] targets, double lambda, CropBox box, double[] lambdas) {
    }

    private final double mixupAlpha;
    private final double cutmixAlpha;
    private final double prob;
    private final double switchProb;
    private final double labelSmoothing;
    private final int numClasses;
    private final MixupMode mode;
    /** timm's cutmix_minmax: the cutmix box side as a fraction of the image side, drawn in [min, max); null = from lambda. */
    private final double[] cutmixMinmax;

    /** Mode 'batch'. */
    public Mixup(double mixupAlpha, double cutmixAlpha, double prob, double switchProb, double labelSmoothing, int numClasses) {
        this(mixupAlpha, cutmixAlpha, prob, switchProb, labelSmoothing, numClasses, MixupMode.BATCH);
    }

    public Mixup(double mixupAlpha, double cutmixAlpha, double prob, double switchProb, double labelSmoothing, int numClasses,
                 MixupMode mode) {
        this(mixupAlpha, cutmixAlpha, prob, switchProb, labelSmoothing, numClasses, mode, null);
    }

    /**
     * With {@code cutmixMinmax} {min, max} (timm's {@code cutmix_minmax}; null = off) the cutmix box sides are drawn
     * uniformly as fractions of the image sides and lambda follows from the box; cutmix alpha is then 1, as timm forces it.
     */
    public Mixup(double mixupAlpha, double cutmixAlpha, double prob, double switchProb, double labelSmoothing, int numClasses,
                 MixupMode mode, double[] cutmixMinmax) {
        if (cutmixMinmax != null && (cutmixMinmax.length != 2 || !(0 <= cutmixMinmax[0] && cutmixMinmax[0] < cutmixMinmax[1]
                && cutmixMinmax[1] <= 1))) {
            throw new IllegalArgumentException("bad cutmix min/max " + java.util.Arrays.toString(cutmixMinmax) + ": two fractions 0 <= min < max <= 1");
        }
        if (cutmixMinmax != null) {
            cutmixAlpha = 1.0;
        }
        if (!(mixupAlpha >= 0 && cutmixAlpha >= 0) || mixupAlpha + cutmixAlpha == 0 || !(prob >= 0 && prob <= 1)
                || !(switchProb >= 0 && switchProb <= 1) || !(labelSmoothing >= 0 && labelSmoothing < 1) || numClasses < 1) {
            throw new IllegalArgumentException("bad Mixup(mixup alpha " + mixupAlpha + ", cutmix alpha " + cutmixAlpha
                    + ", prob " + prob + ", switch prob " + switchProb + ", smoothing " + labelSmoothing + ", classes " + numClasses + ")");
        }
        this.mixupAlpha = mixupAlpha;
        this.cutmixAlpha = cutmixAlpha;
        this.prob = prob;
        this.switchProb = switchProb;
        this.labelSmoothing = labelSmoothing;
        this.numClasses = numClasses;
        this.mode = mode;
        this.cutmixMinmax = cutmixMinmax == null ? null : cutmixMinmax.clone();
    }

    /** The fine-tuning recipe (spec section 7): alphas 0.8 / 1.0, prob 1, switch 0.5, smoothing 0.1. */
    public static Mixup finetune(int numClasses) {
        return new Mixup(0.8, 1.0, 1.0, 0.5, 0.1, numClasses);
    }

    public Result apply(Batch batch, RandomGenerator rng) {
        return apply(batch.images(), batch.labels(), batch.channels(), batch.height(), batch.width(), rng);
    }

    /** Mixes {@code images} (B, C, H, W) with labels (B); B must be even. The input array is not modified. */
    public Result apply(float[] images, int[] labels, int channels, int height, int width, RandomGenerator rng) {
        int b = labels.length;
        if (b % 2 != 0) throw new IllegalArgumentException("Mixup needs an even batch size, got " + b);
        if (images.length != b * channels * height * width) {
            throw new IllegalArgumentException("Mixup: images hold " + images.length + " floats, not " + b + "x" + channels
                    + "x" + height + "x" + width);
        }
        if (mode != MixupMode.BATCH) {
            return perElement(images, labels, channels, height, width, rng);
        }
        double lambda = 1.0;
        boolean cutmix = false;
        if (rng.nextDouble() < prob) {
            if (mixupAlpha > 0 && cutmixAlpha > 0) cutmix = rng.nextDouble() < switchProb;
            else cutmix = cutmixAlpha > 0;
            double alpha = cutmix ? cutmixAlpha : mixupAlpha;
            lambda = Beta.sample(rng, alpha, alpha);
        }
        float[] out;
        CropBox box = null;
        if (lambda == 1.0) {
            out = images.clone();
        } else if (cutmix) {
            box = cutmixBox(height, width, lambda, rng);
            lambda = correctedLambda(box, height, width);
            out = paste(images, b, channels, height, width, box);
        } else {
            out = blend(images, b, lambda);
        }
        double[] lambdas = new double[b];
        java.util.Arrays.fill(lambdas, lambda);
        return new Result(out, softTargets(labels, numClasses, lambda, labelSmoothing), lambda, box, lambdas);
    }

    /** Modes 'pair' and 'elem' (timm's {@code _mix_pair}, {@code _mix_elem}): a lambda per pair or per image. */
    private Result perElement(float[] images, int[] labels, int channels, int height, int width, RandomGenerator rng) {
        int b = labels.length, n = mode == MixupMode.PAIR ? b / 2 : b;
        boolean[] cutmix = new boolean[n];
        double[] lam = new double[n];
        if (mixupAlpha > 0 && cutmixAlpha > 0) {
            for (int i = 0; i < n; i++) cutmix[i] = rng.nextDouble() < switchProb;
        } else if (cutmixAlpha > 0) {
            java.util.Arrays.fill(cutmix, true);
        }
        double[] cut = new double[n], mix = new double[n];
        for (int i = 0; i < n && cutmixAlpha > 0; i++) cut[i] = Beta.sample(rng, cutmixAlpha, cutmixAlpha);
        for (int i = 0; i < n && mixupAlpha > 0; i++) mix[i] = Beta.sample(rng, mixupAlpha, mixupAlpha);
        for (int i = 0; i < n; i++) lam[i] = rng.nextDouble() < prob ? (float) (cutmix[i] ? cut[i] : mix[i]) : 1.0;
        float[] out = images.clone();
        int per = channels * height * width;
        for (int i = 0; i < n; i++) {
            int j = b - 1 - i;
            if (lam[i] == 1.0) continue;
            if (cutmix[i]) {
                CropBox box = cutmixBox(height, width, lam[i], rng);
                lam[i] = correctedLambda(box, height, width);
                copyBox(images, j * per, out, i * per, channels, height, width, box);
                if (mode == MixupMode.PAIR) copyBox(images, i * per, out, j * per, channels, height, width, box);
            } else {
                float l = (float) lam[i], r = (float) (1.0 - lam[i]);
                for (int k = 0; k < per; k++) out[i * per + k] = images[i * per + k] * l + images[j * per + k] * r;
                if (mode == MixupMode.PAIR) {
                    for (int k = 0; k < per; k++) out[j * per + k] = images[j * per + k] * l + images[i * per + k] * r;
                }
            }
        }
        double[] lambdas = new double[b];
        for (int i = 0; i < b; i++) lambdas[i] = mode == MixupMode.PAIR && i >= n ? lam[b - 1 - i] : lam[i];
        return new Result(out, softTargets(labels, numClasses, lambdas, labelSmoothing), Double.NaN, null, lambdas);
    }

    /**
     * timm's {@code mixup_target}: off = smoothing / K, on = 1 - smoothing + off; target b =
     * lambda * onehot(label b) + (1 - lambda) * onehot(label B-1-b), float32. Shape (B, K).
     */
    public static float[] softTargets(int[] labels, int numClasses, double lambda, double smoothing) {
        double[] lambdas = new double[labels.length];
        java.util.Arrays.fill(lambdas, lambda);
        return softTargets(labels, numClasses, lambdas, smoothing);
    }

    /** As {@link #softTargets(int[], int, double, double)} with a lambda per sample (modes 'pair' and 'elem'). */
    public static float[] softTargets(int[] labels, int numClasses, double[] lambdas, double smoothing) {
        int b = labels.length;
        double offValue = smoothing / numClasses;
        float off = (float) offValue, on = (float) (1.0 - smoothing + offValue);
        float[] out = new float[b * numClasses];
        for (int i = 0; i < b; i++) {
            float l = (float) lambdas[i], r = (float) (1.0 - lambdas[i]);
            int mine = labels[i], theirs = labels[b - 1 - i];
            if (mine < 0 || mine >= numClasses) throw new IllegalArgumentException("label " + mine + " of sample " + i + " not in [0, " + numClasses + ")");
            for (int k = 0; k < numClasses; k++) {
                float y1 = k == mine ? on : off, y2 = k == theirs ? on : off;
                out[i * numClasses + k] = y1 * l + y2 * r;
            }
        }
        return out;
    }

    /**
     * The cutmix box: timm's {@code rand_bbox} from lambda (centre cy ~ randint(0, H), cx ~ randint(0, W)), or with
     * cutmix min/max its {@code rand_bbox_minmax}: sides cutH ~ randint(int(H min), int(H max)), cutW likewise (upper
     * bounds exclusive), corner top ~ randint(0, H - cutH), left ~ randint(0, W - cutW).
     */
    private CropBox cutmixBox(int height, int width, double lambda, RandomGenerator rng) {
        if (cutmixMinmax == null) {
            return cutmixBox(height, width, lambda, rng.nextInt(height), rng.nextInt(width));
        }
        int cutH = randint(rng, (int) (height * cutmixMinmax[0]), (int) (height * cutmixMinmax[1]));
        int cutW = randint(rng, (int) (width * cutmixMinmax[0]), (int) (width * cutmixMinmax[1]));
        return new CropBox(rng.nextInt(height - cutH), rng.nextInt(width - cutW), cutH, cutW);
    }

    /** numpy's randint(lo, hi): [lo, hi); an empty range is an error naming the image side's fractions. */
    private int randint(RandomGenerator rng, int lo, int hi) {
        if (lo >= hi) {
            throw new IllegalArgumentException("cutmix min/max " + cutmixMinmax[0] + " " + cutmixMinmax[1] + " gives no box side between "
                    + lo + " and " + hi + " pixels on this image");
        }
        return rng.nextInt(lo, hi);
    }

    /**
     * timm's {@code rand_bbox}: cut = (int(H sqrt(1 - lambda)), int(W sqrt(1 - lambda))); rows
     * [clip(cy - cutH/2), clip(cy + cutH/2)) and likewise columns, clipped to the image (may be empty).
     */
    public static CropBox cutmixBox(int height, int width, double lambda, int cy, int cx) {
        double ratio = Math.sqrt(1 - lambda);
        int cutH = (int) (height * ratio), cutW = (int) (width * ratio);
        int y0 = clip(cy - cutH / 2, height), y1 = clip(cy + cutH / 2, height);
        int x0 = clip(cx - cutW / 2, width), x1 = clip(cx + cutW / 2, width);
        return new CropBox(y0, x0, y1 - y0, x1 - x0);
    }

    /** 1 - box area / image area: the fraction of each image that stays its own. */
    public static double correctedLambda(CropBox box, int height, int width) {
        return 1.0 - (double) box.height() * box.width() / (double) (height * width);
    }

    /** Mixup: out[b] = lambda x[b] + (1 - lambda) x[B-1-b] in float32 (each product rounded, then the sum). */
    static float[] blend(float[] images, int b, double lambda) {
        int per = images.length / b;
        float l = (float) lambda, r = (float) (1.0 - lambda);
        float[] out = new float[images.length];
        for (int i = 0; i < b; i++) {
            int mine = i * per, theirs = (b - 1 - i) * per;
            for (int j = 0; j < per; j++) out[mine + j] = images[mine + j] * l + images[theirs + j] * r;
        }
        return out;
    }

    /** Cutmix: the box region of every image b replaced by that of image B-1-b. */
    static float[] paste(float[] images, int b, int channels, int height, int width, CropBox box) {
        float[] out = images.clone();
        int per = channels * height * width;
        for (int i = 0; i < b; i++) {
            copyBox(images, (b - 1 - i) * per, out, i * per, channels, height, width, box);
        }
        return out;
    }

    /** The box region of the (C, H, W) image at {@code from} in {@code src} written over the one at {@code to} in {@code dst}. */
    private static void copyBox(float[] src, int from, float[] dst, int to, int channels, int height, int width, CropBox box) {
        for (int c = 0; c < channels; c++) {
            for (int y = box.top(); y < box.top() + box.height(); y++) {
                int row = (c * height + y) * width + box.left();
                System.arraycopy(src, from + row, dst, to + row, box.width());
            }
        }
    }

    private static int clip(int v, int size) {
        return Math.max(0, Math.min(v, size));
    }
}
