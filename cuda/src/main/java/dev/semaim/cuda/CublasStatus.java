package dev.semaim.cuda;

/**
 * cublasStatus_t (cublas_api.h, the same in cuBLAS 12 and 13): the name and meaning of each code, so a failed call
 * reads "cublasGemmEx(...) failed: CUBLAS_STATUS_INVALID_VALUE (an argument is out of range: ...)".
 */
enum CublasStatus {
    SUCCESS(0, "success"),
    NOT_INITIALIZED(1, "the library or its handle was not initialised: no usable GPU or CUDA context, or the driver is older than this cuBLAS"),
    ALLOC_FAILED(3, "cuBLAS could not allocate device or host memory"),
    INVALID_VALUE(7, "an argument is out of range (sizes, leading dimensions, strides, types)"),
    ARCH_MISMATCH(8, "the GPU lacks a feature this call needs (e.g. TF32/bf16 before Ampere)"),
    MAPPING_ERROR(11, "accessing GPU memory failed"),
    EXECUTION_FAILED(13, "the GPU program failed to execute"),
    INTERNAL_ERROR(14, "an internal cuBLAS operation failed"),
    NOT_SUPPORTED(15, "this combination of types, layouts or compute type is not supported"),
    LICENSE_ERROR(16, "a licence check failed");

    final int code;
    final String meaning;

    CublasStatus(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** "CUBLAS_STATUS_X (meaning)", or the bare number for a code this table does not know. */
    static String describe(int code) {
        for (CublasStatus s : values()) if (s.code == code) return "CUBLAS_STATUS_" + s.name() + " (" + s.meaning + ")";
        return "cublasStatus_t " + code + " (unknown to this binding)";
    }

    /** Throws {@link CudaException} naming the call unless code is CUBLAS_STATUS_SUCCESS. */
    static void check(int code, String call) {
        if (code != SUCCESS.code) throw new CudaException(call + " failed: " + describe(code));
    }
}
