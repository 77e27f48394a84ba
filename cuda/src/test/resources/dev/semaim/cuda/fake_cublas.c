/* A stand-in for libcublas.so.13, compiled by CublasBindingTest where a C compiler is at hand: the symbols the
 * binding calls, with cuBLAS's signatures, recording their arguments so the test can check JNA's marshalling
 * (argument order, 32- and 64-bit integers, pointers) without a GPU. Not a GEMM: it computes nothing. */
#include <stddef.h>
#include <stdint.h>

extern int fake_lt_marker; /* defined in the stand-in libcublasLt: a real dependency, as libcublas has on libcublasLt */

static int create_status = 0;
static int64_t last[32];

void fake_set_create_status(int s) { create_status = s; }
void fake_last_args(int64_t *dst) { for (int i = 0; i < 32; i++) dst[i] = last[i]; }

int cublasGetProperty(int type, int *value) {
    static const int v[3] = {13, 0, 2};
    if (type < 0 || type > 2) return 7;
    *value = v[type] + fake_lt_marker;
    return 0;
}

int cublasCreate_v2(void **handle) {
    if (create_status != 0) return create_status;
    *handle = (void *) (intptr_t) 0x4a4e41;
    return 0;
}

int cublasSetStream_v2(void *handle, void *stream) {
    last[0] = (int64_t) (intptr_t) handle;
    last[1] = (int64_t) (intptr_t) stream;
    return 0;
}

int cublasSetWorkspace_v2(void *handle, void *workspace, size_t bytes) {
    last[0] = (int64_t) (intptr_t) handle;
    last[1] = (int64_t) (intptr_t) workspace;
    last[2] = (int64_t) bytes;
    return 0;
}

int cublasGemmStridedBatchedEx(void *handle, int transa, int transb, int m, int n, int k, const void *alpha,
                               const void *a, int aType, int lda, long long strideA, const void *b, int bType, int ldb,
                               long long strideB, const void *beta, void *c, int cType, int ldc, long long strideC,
                               int batchCount, int computeType, int algo) {
    int64_t v[] = {(int64_t) (intptr_t) handle, transa, transb, m, n, k, (int64_t) (*(const float *) alpha * 1000),
                   (int64_t) (intptr_t) a, aType, lda, strideA, (int64_t) (intptr_t) b, bType, ldb, strideB,
                   (int64_t) (*(const float *) beta * 1000), (int64_t) (intptr_t) c, cType, ldc, strideC, batchCount,
                   computeType, algo};
    for (int i = 0; i < 23; i++) last[i] = v[i];
    return lda < (transa == 0 ? m : k) ? 7 : 0;
}
