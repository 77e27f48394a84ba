package dev.semaim.dist;

import dev.semaim.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The check that every process of a run starts from the same facts (each recorded flag, the world size, the data,
 * the checkpoint resumed from): each fact's 32-bit hash travels as two 16-bit halves (exact in float32) in one
 * all-gather, and a fact on which a rank differs from rank 0 is an error naming the fact and the ranks, on every rank.
 */
public final class RankAgreement {
    private RankAgreement() {
    }

    /**
     * @param facts name (e.g. "--batch_size", "data") to value, in the same order on every process
     * @throws IllegalArgumentException naming what differs, e.g. "the processes of the run disagree: --batch_size differs
     *                                  between rank 0 and rank 1"
     */
    public static void check(Communicator comm, Map<String, String> facts) {
        if (comm.size() == 1) {
            return;
        }
        List<String> names = new ArrayList<>(facts.keySet());
        float[] mine = new float[1 + 2 * names.size()];
        mine[0] = names.size();
        for (int i = 0; i < names.size(); i++) {
            int h = (names.get(i) + "=" + facts.get(names.get(i))).hashCode();
            mine[1 + 2 * i] = h >>> 16;
            mine[2 + 2 * i] = h & 0xFFFF;
        }
        float[] all = comm.allGather(Tensor.of(mine, mine.length)).toFloatArray(); // (size, 1 + 2K)
        List<String> differences = new ArrayList<>();
        for (int r = 1; r < comm.size(); r++) {
            int base = r * mine.length;
            if (all[base] != all[0]) {
                throw new IllegalArgumentException("the processes of the run disagree: rank " + r + " runs another version of semaim than rank 0 ("
                        + (int) all[base] + " settings against " + (int) all[0] + ")");
            }
            for (int i = 0; i < names.size(); i++) {
                if (all[base + 1 + 2 * i] != all[1 + 2 * i] || all[base + 2 + 2 * i] != all[2 + 2 * i]) {
                    differences.add(names.get(i) + " (rank " + r + ")");
                }
            }
        }
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("the processes of the run disagree with rank 0 on " + String.join(", ", differences)
                    + (comm.rank() == 0 ? "; rank 0 has " + describe(facts, differences) : "; this rank has " + describe(facts, differences))
                    + ": every process must get the same flags, data and checkpoint");
        }
    }

    /** This process's values of the differing facts. */
    private static String describe(Map<String, String> facts, List<String> differences) {
        List<String> parts = new ArrayList<>();
        for (String d : differences) {
            String name = d.substring(0, d.indexOf(" (rank "));
            String part = name + " " + facts.get(name);
            if (!parts.contains(part)) parts.add(part);
        }
        return String.join(", ", parts);
    }
}
