package dev.semaim.tensor;

/** A flat buffer of elements owned by one backend; tensors are strided views into it. */
public interface Storage {
    DType dtype();

    /** Number of elements. */
    int size();

    Backend backend();
}
