// The codes by which CudaBackend names dtypes, ops, random distributions and index kernels to the
// kernels. Generated from dev.semaim.cuda.OpCodes: do not edit; OpCodesTest checks it and, run with
// -Dsemaim.cuda.writeOpcodes=true, rewrites it (then run scripts/gpu/compile-ptx.sh).
#pragma once

// dev.semaim.tensor.DType
#define DT_F32 0
#define DT_F64 1
#define DT_I32 2
#define DT_I64 3
#define DT_BF16 4
#define DT_F16 5

// dev.semaim.tensor.UnaryOp
#define U_NEG 0
#define U_EXP 1
#define U_LOG 2
#define U_SQRT 3
#define U_RSQRT 4
#define U_ABS 5
#define U_TANH 6
#define U_ERF 7
#define U_GELU 8
#define U_RELU 9
#define U_SIGN 10
#define U_SQUARE 11
#define U_RECIPROCAL 12
#define U_SIN 13
#define U_COS 14
#define U_CLAMP 15

// dev.semaim.tensor.BinaryOp
#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAX 5
#define B_MIN 6
#define B_EQ 7
#define B_NE 8
#define B_LT 9
#define B_LE 10
#define B_GT 11
#define B_GE 12
#define B_GELU_GRAD 13

// dev.semaim.tensor.ReduceOp
#define R_SUM 0
#define R_MAX 1
#define R_MIN 2

// dev.semaim.tensor.RandomKind
#define RAND_UNIFORM 0
#define RAND_NORMAL 1
#define RAND_TRUNC_NORMAL 2

// dev.semaim.cuda.OpCodes.IndexOp
#define IX_INDEX_SELECT 0
#define IX_INDEX_ADD 1
#define IX_GATHER 2
#define IX_SCATTER_ADD 3
