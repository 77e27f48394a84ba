package dev.semaim.tensor;

import java.util.concurrent.atomic.AtomicLong;

/** A flat buffer of elements owned by one backend; tensors are strided views into it. */
public interface Storage {
    DType dtype();

    /** Number of elements. */
    int size();

    Backend backend();

    /**
     * Creation order among all storages of the process: a storage made after {@link #latestSerial()} returned s
     * has a serial above s. Lets an owner tell the buffers it made from older ones (autograd recycles only
     * gradients made during its own backward pass).
     */
    long serial();

    /** A fresh serial, for a storage's constructor. */
    static long nextSerial() {
        return Serials.NEXT.incrementAndGet();
    }

    /** The serial of the newest storage so far. */
    static long latestSerial() {
        return Serials.NEXT.get();
    }

    /** Holder of the serial counter (interface fields are constants; the counter lives here). */
    final class Serials {
        private static final AtomicLong NEXT = new AtomicLong();

        private Serials() {}
    }
}
