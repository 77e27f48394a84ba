package dev.semaim.data.augment;

/**
 * Resampling filter of PIL's {@code Image.transform} / {@code Image.rotate} as timm's RandAugment uses them
 * (its default is a random choice between the two per geometric op).
 */
public enum Interpolation {
    BILINEAR,
    /** PIL's transform bicubic: cubic convolution with a = -1 (not the a = -0.5 of resizing). */
    BICUBIC
}
