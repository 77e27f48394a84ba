package dev.semaim.nn.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The project's one JSON reader and writer, for the small subset it needs (safetensors headers, the lines of
 * log.txt, results.json, checkpoint metadata), so the core modules carry no JSON dependency.
 * Parsing yields {@code Map<String,Object>} (insertion order kept, duplicate keys rejected),
 * {@code List<Object>}, {@code String}, {@code Long} (integers), {@code BigInteger} (integers beyond 64 bits),
 * {@code Double} (other numbers),
 * {@code Boolean} and {@code null}; errors carry the character position. Writing makes flat one-line objects.
 */
public final class Json {
    private final String s;
    private int pos;

    /** Digits of the longest integer literal read (64 bits take 20; BigInteger covers the rest, up to this). */
    private static final int MAX_INTEGER_DIGITS = 100;

    private Json(String s) {
        this.s = s;
    }

    /** Parses one JSON value; only whitespace may follow it. */
    public static Object parse(String text) {
        Json p = new Json(text);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) throw p.error("unexpected '" + text.charAt(p.pos) + "' after the value");
        return v;
    }

    /**
     * A one-line JSON object of flat fields, {@code {"key": value, ...}} in the map's order: strings (any other
     * object by its toString), numbers, booleans and null; non-finite doubles become null (JSON has no NaN).
     */
    public static String object(Map<String, ?> fields) {
        StringBuilder b = new StringBuilder("{");
        String sep = "";
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            b.append(sep).append(quote(e.getKey())).append(": ").append(value(e.getValue()));
            sep = ", ";
        }
        return b.append('}').toString();
    }

    /** One flat field's value as JSON (see {@link #object}). */
    private static String value(Object v) {
        if (v == null) return "null";
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? Double.toString(d) : "null";
        }
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        return quote(v.toString());
    }

    /** A JSON string literal of {@code v}, quoted and escaped. */
    static String quote(String v) {
        StringBuilder b = new StringBuilder(v.length() + 2).append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static final int MAX_DEPTH = 64;

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH);
        if (pos >= s.length()) throw error("unexpected end of text");
        char c = s.charAt(pos);
        switch (c) {
            case '{': return object(depth);
            case '[': return array(depth);
            case '"': return string();
            case 't': return literal("true", Boolean.TRUE);
            case 'f': return literal("false", Boolean.FALSE);
            case 'n': return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return number();
                throw error("unexpected '" + c + "'");
        }
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> out = new LinkedHashMap<>();
        pos++; // '{'
        skipWhitespace();
        if (peek('}')) { pos++; return out; }
        while (true) {
            skipWhitespace();
            if (!peek('"')) throw error("expected a quoted key");
            int keyAt = pos;
            String key = string();
            if (out.containsKey(key)) { pos = keyAt; throw error("duplicate key \"" + key + "\""); }
            skipWhitespace();
            expect(':');
            skipWhitespace();
            out.put(key, value(depth + 1));
            skipWhitespace();
            if (peek(',')) { pos++; continue; }
            expect('}');
            return out;
        }
    }

    private List<Object> array(int depth) {
        List<Object> out = new ArrayList<>();
        pos++; // '['
        skipWhitespace();
        if (peek(']')) { pos++; return out; }
        while (true) {
            skipWhitespace();
            out.add(value(depth + 1));
            skipWhitespace();
            if (peek(',')) { pos++; continue; }
            expect(']');
            return out;
        }
    }

    private String string() {
        pos++; // opening quote
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return b.toString();
            if (c < 0x20) { pos--; throw error("control character in a string"); }
            if (c != '\\') { b.append(c); continue; }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"': b.append('"'); break;
                case '\\': b.append('\\'); break;
                case '/': b.append('/'); break;
                case 'b': b.append('\b'); break;
                case 'f': b.append('\f'); break;
                case 'n': b.append('\n'); break;
                case 'r': b.append('\r'); break;
                case 't': b.append('\t'); break;
                case 'u':
                    char unit = unicodeEscape();
                    if (Character.isLowSurrogate(unit)) throw error("lone surrogate \\u" + Integer.toHexString(unit));
                    b.append(unit);
                    if (Character.isHighSurrogate(unit)) { // a pair, or a string no UTF-8 file can hold (RFC 8259, serde_json)
                        if (!s.startsWith("\\u", pos)) throw error("lone surrogate \\u" + Integer.toHexString(unit));
                        pos += 2;
                        char low = unicodeEscape();
                        if (!Character.isLowSurrogate(low)) throw error("lone surrogate \\u" + Integer.toHexString(unit));
                        b.append(low);
                    }
                    break;
                default: pos--; throw error("bad escape '\\" + e + "'");
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peek('-')) pos++;
        if (peek('0')) pos++;
        else if (!digits()) throw error("bad number");
        boolean integral = true;
        if (peek('.')) {
            pos++;
            if (!digits()) throw error("bad number");
            integral = false;
        }
        if (peek('e') || peek('E')) {
            pos++;
            if (peek('+') || peek('-')) pos++;
            if (!digits()) throw error("bad number");
            integral = false;
        }
        String t = s.substring(start, pos);
        if (integral && t.length() > MAX_INTEGER_DIGITS) { // BigInteger parses in quadratic time: a 100 MB header would take hours
            throw error("an integer of " + t.length() + " digits is too large");
        }
        if (integral) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException ex) { // beyond 64 bits: the caller says what the value is wrong for
                return new java.math.BigInteger(t);
            }
        }
        return Double.parseDouble(t);
    }

    private boolean digits() {
        int start = pos;
        while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') pos++;
        return pos > start;
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, pos)) throw error("unexpected '" + s.charAt(pos) + "'");
        pos += word.length();
        return v;
    }

    private boolean peek(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private void expect(char c) {
        if (!peek(c)) throw error(pos >= s.length() ? "expected '" + c + "' but the text ended" : "expected '" + c + "' but found '" + s.charAt(pos) + "'");
        pos++;
    }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    /** The code unit of the 4 hex digits at pos (after "\\u"). */
    private char unicodeEscape() {
        if (pos + 4 > s.length()) throw error("short \\u escape");
        int c = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(s.charAt(pos + i), 16); // exactly 4 hex digits: no sign, as parseInt would take
            if (d < 0) throw error("bad \\u escape");
            c = c * 16 + d;
        }
        pos += 4;
        return (char) c;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON at character " + pos + ": " + what);
    }
}
