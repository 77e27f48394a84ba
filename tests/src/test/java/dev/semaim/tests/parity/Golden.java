package dev.semaim.tests.parity;

import dev.semaim.nn.Module;
import dev.semaim.nn.Parameter;
import dev.semaim.tensor.Shape;
import dev.semaim.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The golden fixtures of tests/src/test/resources/golden (see README.md there): a minimal safetensors
 * reader (F32 / F64 / I64, the subset make_golden.py writes) and float comparisons that report the
 * largest difference and where it is.
 */
final class Golden {
    final Map<String, Tensor> tensors = new LinkedHashMap<>();
    final Map<String, String> metadata = new LinkedHashMap<>();
    private final String file;

    private Golden(String file) {
        this.file = file;
    }

    /** Reads golden/<name> from the test class path. */
    static Golden load(String name) {
        Golden g = new Golden(name);
        try (InputStream in = Golden.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) throw new IllegalStateException("golden fixture /golden/" + name + " not on the test class path");
            byte[] all = in.readAllBytes();
            ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) buf.getLong(0);
            Object header = new Json(new String(all, 8, n, StandardCharsets.UTF_8)).value();
            int base = 8 + n;
            for (Map.Entry<String, Object> e : asMap(header).entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    asMap(e.getValue()).forEach((k, v) -> g.metadata.put(k, (String) v));
                    continue;
                }
                Map<String, Object> info = asMap(e.getValue());
                List<?> shapeList = (List<?>) info.get("shape"), offs = (List<?>) info.get("data_offsets");
                int[] shape = shapeList.stream().mapToInt(o -> ((Number) o).intValue()).toArray();
                int start = base + ((Number) offs.get(0)).intValue(), count = Shape.numel(shape);
                ByteBuffer data = ByteBuffer.wrap(all, start, ((Number) offs.get(1)).intValue() - ((Number) offs.get(0)).intValue()).order(ByteOrder.LITTLE_ENDIAN);
                Object host;
                switch ((String) info.get("dtype")) {
                    case "F32": { float[] v = new float[count]; data.asFloatBuffer().get(v); host = v; break; }
                    case "F64": { double[] v = new double[count]; data.asDoubleBuffer().get(v); host = v; break; }
                    case "I64": { long[] v = new long[count]; data.asLongBuffer().get(v); host = v; break; }
                    default: throw new IllegalStateException(name + ": tensor " + e.getKey() + " has unsupported dtype " + info.get("dtype"));
                }
                g.tensors.put(e.getKey(), Tensor.of(host, shape));
            }
        } catch (IOException ex) {
            throw new IllegalStateException("reading golden/" + name, ex);
        }
        return g;
    }

    Tensor get(String key) {
        Tensor t = tensors.get(key);
        assertNotNull(t, file + " has no tensor '" + key + "'");
        return t;
    }

    /** Copies every "<prefix><key>" tensor into the module parameter named key; all module keys must be present. */
    void loadInto(Module m, String prefix) {
        int loaded = 0;
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Tensor t = get(prefix + e.getKey());
            Parameter p = e.getValue();
            assertEquals(Shape.str(p.shape()), Shape.str(t.shape()), "shape of " + e.getKey());
            p.set(t.to(p.data().dtype()).copy());
            loaded++;
        }
        long inFile = tensors.keySet().stream().filter(k -> k.startsWith(prefix)).count();
        assertEquals(inFile, loaded, file + ": " + prefix + "* tensors not all used by the module (" + m.namedParameters().keySet() + ")");
    }

    /** |a − e| ≤ atol + rtol·|e| elementwise; a failure names the tensor, its shape, the worst index and values. */
    static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertEquals(Shape.str(expected.shape()), Shape.str(actual.shape()), what + ": shape");
        double[] e = expected.contiguous().toDoubleArray(), a = actual.contiguous().toDoubleArray();
        int worst = -1;
        double worstExcess = 0, maxAbs = 0;
        for (int i = 0; i < e.length; i++) {
            if (Double.isInfinite(e[i]) && e[i] == a[i]) continue;
            double d = Math.abs(a[i] - e[i]);
            if (Double.isNaN(d)) d = Double.POSITIVE_INFINITY;
            maxAbs = Math.max(maxAbs, d);
            double excess = d - (atol + rtol * Math.abs(e[i]));
            if (excess > worstExcess) {
                worstExcess = excess;
                worst = i;
            }
        }
        if (worst >= 0)
            fail(what + " " + Shape.str(expected.shape()) + ": largest difference " + maxAbs + "; at flat index " + worst
                    + " expected " + e[worst] + " got " + a[worst] + " (rtol " + rtol + ", atol " + atol + ")");
    }

    /** The largest |a − e| (for reporting). */
    static double maxAbsDiff(Tensor expected, Tensor actual) {
        double[] e = expected.contiguous().toDoubleArray(), a = actual.contiguous().toDoubleArray();
        double m = 0;
        for (int i = 0; i < e.length; i++) m = Math.max(m, Math.abs(a[i] - e[i]));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    /** Just enough JSON for a safetensors header: objects, arrays, strings, numbers, booleans, null. */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object value() {
            skip();
            char c = s.charAt(i);
            if (c == '{') {
                Map<String, Object> m = new LinkedHashMap<>();
                i++;
                skip();
                if (s.charAt(i) == '}') { i++; return m; }
                while (true) {
                    skip();
                    String k = string();
                    skip();
                    i++; // ':'
                    m.put(k, value());
                    skip();
                    if (s.charAt(i++) == '}') return m;
                }
            }
            if (c == '[') {
                List<Object> l = new ArrayList<>();
                i++;
                skip();
                if (s.charAt(i) == ']') { i++; return l; }
                while (true) {
                    l.add(value());
                    skip();
                    if (s.charAt(i++) == ']') return l;
                }
            }
            if (c == '"') return string();
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
            if (start == i) {
                String word = s.startsWith("true", i) ? "true" : s.startsWith("false", i) ? "false" : "null";
                i += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
            return Double.parseDouble(s.substring(start, i));
        }

        private String string() {
            StringBuilder b = new StringBuilder();
            i++; // opening quote
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') return b.toString();
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n': b.append('\n'); break;
                        case 't': b.append('\t'); break;
                        case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break;
                        default: b.append(e);
                    }
                } else b.append(c);
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }
    }
}
