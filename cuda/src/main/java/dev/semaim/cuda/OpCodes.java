package dev.semaim.cuda;

import dev.semaim.tensor.BinaryOp;
import dev.semaim.tensor.DType;
import dev.semaim.tensor.RandomKind;
import dev.semaim.tensor.ReduceOp;
import dev.semaim.tensor.UnaryOp;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static java.util.Map.entry;

/**
 * The integer codes by which {@link CudaBackend} names a dtype, an op, a random distribution or an index kernel to
 * the kernels: one explicit table, from which {@code src/main/cuda/opcodes.cuh} (the kernels' {@code #define}s) is
 * generated; {@code OpCodesTest} fails when the committed header differs from it. Enum ordinals never reach a
 * kernel, so reordering an enum of the tensor module cannot change what a kernel computes, and a constant added
 * without a code fails here, naming it, the first time the backend sends a code (and in OpCodesTest).
 */
final class OpCodes {
    private OpCodes() {
    }

    /** The index kernels, by the name an out-of-range index error gives them (the code travels in g_index_error). */
    enum IndexOp {
        INDEX_SELECT("indexSelect"), INDEX_ADD("indexAdd"), GATHER("gather"), SCATTER_ADD("scatterAdd");

        final String label;

        IndexOp(String label) {
            this.label = label;
        }
    }

    /** One enum's codes, and the prefix that names them in opcodes.cuh ({@code prefix + constant name}). */
    static final class Codes<E extends Enum<E>> {
        final Class<E> type;
        final String prefix;
        private final int[] byOrdinal;
        private final E[] byCode;

        Codes(Class<E> type, String prefix, Map<E, Integer> codes) {
            this.type = type;
            this.prefix = prefix;
            E[] constants = type.getEnumConstants();
            byOrdinal = new int[constants.length];
            byCode = constants.clone();
            Arrays.fill(byCode, null);
            for (E e : constants) {
                Integer code = codes.get(e);
                if (code == null) throw new IllegalStateException("OpCodes: " + type.getSimpleName() + "." + e + " has no code");
                if (code < 0 || code >= constants.length || byCode[code] != null)
                    throw new IllegalStateException("OpCodes: " + type.getSimpleName() + "." + e + " has code " + code
                            + ", not a free one of 0.." + (constants.length - 1));
                byOrdinal[e.ordinal()] = code;
                byCode[code] = e;
            }
        }

        /** The code of {@code e}, as the kernels know it. */
        int of(E e) {
            return byOrdinal[e.ordinal()];
        }

        /** The constant of a code a kernel reported. */
        E constant(int code) {
            if (code < 0 || code >= byCode.length) throw new IllegalArgumentException("OpCodes: no " + type.getSimpleName() + " has code " + code);
            return byCode[code];
        }
    }

    static final Codes<DType> DTYPE = new Codes<>(DType.class, "DT_", Map.ofEntries(
            entry(DType.F32, 0), entry(DType.F64, 1), entry(DType.I32, 2), entry(DType.I64, 3), entry(DType.BF16, 4),
            entry(DType.F16, 5)));

    static final Codes<UnaryOp> UNARY = new Codes<>(UnaryOp.class, "U_", Map.ofEntries(
            entry(UnaryOp.NEG, 0), entry(UnaryOp.EXP, 1), entry(UnaryOp.LOG, 2), entry(UnaryOp.SQRT, 3),
            entry(UnaryOp.RSQRT, 4), entry(UnaryOp.ABS, 5), entry(UnaryOp.TANH, 6), entry(UnaryOp.ERF, 7),
            entry(UnaryOp.GELU, 8), entry(UnaryOp.RELU, 9), entry(UnaryOp.SIGN, 10), entry(UnaryOp.SQUARE, 11),
            entry(UnaryOp.RECIPROCAL, 12), entry(UnaryOp.SIN, 13), entry(UnaryOp.COS, 14), entry(UnaryOp.CLAMP, 15)));

    static final Codes<BinaryOp> BINARY = new Codes<>(BinaryOp.class, "B_", Map.ofEntries(
            entry(BinaryOp.ADD, 0), entry(BinaryOp.SUB, 1), entry(BinaryOp.MUL, 2), entry(BinaryOp.DIV, 3),
            entry(BinaryOp.POW, 4), entry(BinaryOp.MAX, 5), entry(BinaryOp.MIN, 6), entry(BinaryOp.EQ, 7),
            entry(BinaryOp.NE, 8), entry(BinaryOp.LT, 9), entry(BinaryOp.LE, 10), entry(BinaryOp.GT, 11),
            entry(BinaryOp.GE, 12), entry(BinaryOp.GELU_GRAD, 13)));

    static final Codes<ReduceOp> REDUCE = new Codes<>(ReduceOp.class, "R_", Map.ofEntries(
            entry(ReduceOp.SUM, 0), entry(ReduceOp.MAX, 1), entry(ReduceOp.MIN, 2)));

    static final Codes<RandomKind> RANDOM = new Codes<>(RandomKind.class, "RAND_", Map.ofEntries(
            entry(RandomKind.UNIFORM, 0), entry(RandomKind.NORMAL, 1), entry(RandomKind.TRUNC_NORMAL, 2)));

    static final Codes<IndexOp> INDEX = new Codes<>(IndexOp.class, "IX_", Map.ofEntries(
            entry(IndexOp.INDEX_SELECT, 0), entry(IndexOp.INDEX_ADD, 1), entry(IndexOp.GATHER, 2), entry(IndexOp.SCATTER_ADD, 3)));

    /** Every table, in the order of opcodes.cuh. */
    static final List<Codes<?>> ALL = List.of(DTYPE, UNARY, BINARY, REDUCE, RANDOM, INDEX);
}
