package dev.semaim.nn.io;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {
    @Test
    void writesFlatObjectsInTheMapsOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_loss", 0.25);
        m.put("epoch", 3);
        m.put("bad", Double.POSITIVE_INFINITY);
        m.put("note", "a \"b\"\n\u0001");
        m.put("flag", true);
        m.put("none", null);
        assertEquals("{\"train_loss\": 0.25, \"epoch\": 3, \"bad\": null, \"note\": \"a \\\"b\\\"\\n\\u0001\", \"flag\": true, \"none\": null}",
                Json.object(m));
        assertEquals("{}", Json.object(Map.of()));
    }

    @Test
    void whatItWritesItReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", 1.5e-4);
        m.put("epochs", 400L);
        m.put("path", "C:\\data\t\"x\"");
        m.put("float", 0.5f);
        m.put("nan", Double.NaN);
        m.put("on", false);
        m.put("path object", java.nio.file.Path.of("/tmp/a b"));
        Map<String, Object> expected = new LinkedHashMap<>(m);
        expected.put("float", 0.5);
        expected.put("nan", null);
        expected.put("path object", "/tmp/a b");
        assertEquals(expected, Json.parse(Json.object(m)));
    }

    @Test
    void readsNestedValues() {
        Object v = Json.parse(" {\"a\": [1, -2.5e1, \"\\u00e9\\/\"], \"b\": {\"c\": null, \"d\": true}} ");
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("c", null);
        b.put("d", true);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1L, -25.0, "é/"));
        expected.put("b", b);
        assertEquals(expected, v);
        assertEquals(List.of(), Json.parse("[]"));
    }

    /** Issue 17 item 9: a safetensors offset near 2^64 was reported as invalid JSON; the reader now says what is wrong. */
    @Test
    void integersBeyond64BitsAreBigIntegers() {
        assertEquals(new java.math.BigInteger("99999999999999999999"), Json.parse("99999999999999999999"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
    }

    @Test
    void errorsNameTheCharacter() {
        assertEquals("invalid JSON at character 7: duplicate key \"a\"",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\":1,\"a\":2}")).getMessage());
        assertEquals("invalid JSON at character 2: unexpected '}' after the value",
                assertThrows(IllegalArgumentException.class, () -> Json.parse("{}}")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("[1,")).getMessage().contains("unexpected end of text"));

    }

    /** Inputs that used to take hours or read back renamed: an integer of a million digits, lone UTF-16 surrogates. */
    @Test
    void refusesHugeIntegersAndLoneSurrogates() {
        String digits = "9".repeat(1_000_000);
        long t0 = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse("[" + digits + "]"));
        assertTrue(e.getMessage().contains("an integer of 1000000 digits is too large") && e.getMessage().length() < 200, e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused at once, not parsed");
        assertEquals(new java.math.BigInteger("1" + "0".repeat(30)), Json.parse("1" + "0".repeat(30)));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\ud800\"")).getMessage().contains("lone surrogate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\udc00x\"")).getMessage().contains("lone surrogate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\ud800\\u0041\"")).getMessage().contains("lone surrogate"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Json.parse("\"\\u+fff\"")).getMessage().contains("bad \\u escape"));
        assertEquals("\ud83d\ude00", Json.parse("\"\\ud83d\\ude00\""));
    }
}
