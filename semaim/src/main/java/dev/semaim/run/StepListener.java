package dev.semaim.run;

/**
 * Called after every training iteration (after any checkpoint of that iteration is written). Tests use it
 * to record losses and to simulate a killed run by throwing.
 */
@FunctionalInterface
public interface StepListener {
    /**
     * @param epoch 0-based epoch
     * @param iter  0-based iteration within the epoch
     * @param loss  the iteration's loss (before the 1/accum_iter scaling)
     * @param lr    the learning rate in effect
     */
    void onStep(int epoch, int iter, double loss, double lr);
}
