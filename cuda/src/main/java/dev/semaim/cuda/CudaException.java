package dev.semaim.cuda;

/** A CUDA driver error, with the call or kernel (and its launch shape) that raised it. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) {
        super(message);
    }
}
