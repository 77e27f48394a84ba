package dev.semaim.model;

import dev.semaim.autograd.Var;
import dev.semaim.tensor.Tensor;

/**
 * One training forward: the scalar loss, the per-patch loss map (B, L) (logging), and the prediction
 * (B, T, K) with the cls slot at index 0 included (the loss uses pred[:, 1:]).
 */
public record AimOutput(Var loss, Tensor lossMap, Var pred) {}
