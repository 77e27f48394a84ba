package dev.semaim.data;

/**
 * {@code torch.randperm(n, generator=torch.Generator().manual_seed(seed))} on the CPU, value for value (PyTorch 1.13,
 * {@code aten/src/ATen/native/TensorFactories.cpp} {@code randperm_cpu}): the identity, then for i = 0 .. n-2 a swap of
 * element i with element i + (r mod (n - i)), r the next 32-bit output of the generator's MT19937 seeded with
 * {@code seed} (its low 32 bits, as {@code at::mt19937} does). Checked against PyTorch by {@code DistributedSamplerTest}.
 */
public final class TorchRandperm {
    private TorchRandperm() {
    }

    /** The permutation of 0 .. n-1. */
    public static int[] of(int n, long seed) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        Mt19937 g = new Mt19937(seed);
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (g.next() % (n - i));
            int t = r[i];
            r[i] = r[z + i];
            r[z + i] = t;
        }
        return r;
    }

    /** The 32-bit Mersenne Twister (Matsumoto and Nishimura 1998) with the standard seeding of one 32-bit word. */
    static final class Mt19937 {
        private static final int N = 624, M = 397;
        private final int[] mt = new int[N];
        private int index = N;

        Mt19937(long seed) {
            mt[0] = (int) seed;
            for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }

        /** The next output, 0 .. 2^32-1. */
        long next() {
            if (index >= N) twist();
            int y = mt[index++];
            y ^= y >>> 11;
            y ^= (y << 7) & 0x9D2C5680;
            y ^= (y << 15) & 0xEFC60000;
            y ^= y >>> 18;
            return y & 0xFFFFFFFFL;
        }

        private void twist() {
            for (int i = 0; i < N; i++) {
                int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7FFFFFFF);
                mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908B0DF : 0);
            }
            index = 0;
        }
    }
}
