package dev.semaim.cuda;

import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** cublasStatus_t codes become names and sentences; a failed call names itself. */
class CublasStatusTest {
    @Test
    void codesHaveTheirHeaderNames() {
        int[] codes = {0, 1, 3, 7, 8, 11, 13, 14, 15, 16};
        String[] names = {"SUCCESS", "NOT_INITIALIZED", "ALLOC_FAILED", "INVALID_VALUE", "ARCH_MISMATCH", "MAPPING_ERROR",
                "EXECUTION_FAILED", "INTERNAL_ERROR", "NOT_SUPPORTED", "LICENSE_ERROR"};
        for (int i = 0; i < codes.length; i++)
            assertEquals("CUBLAS_STATUS_" + names[i], CublasStatus.describe(codes[i]).split(" ")[0]);
        assertEquals("cublasStatus_t 42 (unknown to this binding)", CublasStatus.describe(42));
    }

    @Test
    void aFailedCallNamesTheCallAndTheStatus() {
        assertDoesNotThrow(() -> CublasStatus.check(0, "cublasCreate"));
        CudaException e = assertThrows(CudaException.class, () -> CublasStatus.check(7, "cublasGemmStridedBatchedEx(F32, ...)"));
        assertEquals("cublasGemmStridedBatchedEx(F32, ...) failed: CUBLAS_STATUS_INVALID_VALUE (an argument is out of range "
                + "(sizes, leading dimensions, strides, types))", e.getMessage());
    }

    @Test
    void jcudaHandlesGiveTheirAddress() {
        assertEquals(0L, NativeHandles.address(new CUdeviceptr()), "a null device pointer");
    }
}
