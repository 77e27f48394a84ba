package dev.semaim.data;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** A RandomGenerator that replays scripted draws and checks the bounds asked for, to pin down RNG usage. */
final class ScriptedRandom implements RandomGenerator {
    private final Deque<Object> script = new ArrayDeque<>();

    /** Next nextDouble() returns u. */
    ScriptedRandom d(double u) {
        script.add(u);
        return this;
    }

    /** Next nextInt(bound) must be asked with {@code bound} and returns {@code value}. */
    ScriptedRandom i(int bound, int value) {
        script.add(new int[] {bound, value});
        return this;
    }

    boolean exhausted() {
        return script.isEmpty();
    }

    @Override
    public double nextDouble() {
        assertFalse(script.isEmpty(), "unscripted nextDouble()");
        return (Double) script.poll();
    }

    @Override
    public int nextInt(int bound) {
        assertFalse(script.isEmpty(), "unscripted nextInt(" + bound + ")");
        int[] e = (int[]) script.poll();
        assertEquals(e[0], bound, "nextInt bound");
        return e[1];
    }

    @Override
    public long nextLong() {
        throw new AssertionError("unexpected nextLong()");
    }
}
