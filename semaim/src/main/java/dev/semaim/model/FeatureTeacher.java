package dev.semaim.model;

import dev.semaim.tensor.Tensor;

/**
 * A frozen teacher for the feature targets of spec §4.4 / §5.3 ('clip', 'dino'): token features for
 * all T tokens, (B, C, H, W) → (B, T, K), computed without gradients. Its cls/patch similarity also
 * gives the order map.
 */
@FunctionalInterface
public interface FeatureTeacher {
    Tensor features(Tensor images);
}
