package dev.semaim;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The packages of the semaim module form no cycle: no package imports one that imports it back, directly or
 * through others. Dependencies are read from the sources of src/main/java: the {@code import} lines (static and
 * wildcard ones included) and fully qualified {@code dev.semaim.} names in the code (comments and string literals
 * are not code). Only packages of this module count; tensor, autograd and nn are layered by the build.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** A qualified name: the package is the segments before the first capitalised one (a type) or the '*'. */
    private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.semaim(?:\\.[a-z_][\\w]*)+(?=\\.[A-Z*])");
    /** Comments, then string and char literals (text blocks are not used in main). */
    private static final Pattern NOT_CODE = Pattern.compile("//[^\\n]*|/\\*[\\s\\S]*?\\*/|\"(?:\\\\.|[^\"\\\\\\n])*\"|'(?:\\\\.|[^'\\\\\\n])+'");

    /** Edges the issue named, kept out even where they would not close a cycle today (a pair: from, to). */
    private static final List<List<String>> FORBIDDEN = List.of(
            List.of("dev.semaim.train", "dev.semaim.eval"),   // shared run code lives in dev.semaim.run
            List.of("dev.semaim.eval", "dev.semaim.train"),
            List.of("dev.semaim.train", "dev.semaim.viz"),    // charts come from a listener the CLI registers
            List.of("dev.semaim.eval", "dev.semaim.viz"),
            List.of("dev.semaim.run", "dev.semaim.viz"),
            List.of("dev.semaim.viz", "dev.semaim.audit"));   // SampleImages lives in data

    @Test
    void noPackageOfTheModuleIsPartOfACycle() throws IOException {
        Map<String, Map<String, Set<String>>> deps = dependencies(SOURCES);
        assertTrue(deps.size() >= 10 && deps.containsKey("dev.semaim.cli") && deps.get("dev.semaim.cli").containsKey("dev.semaim.train"),
                "the scan of " + SOURCES.toAbsolutePath() + " found too little: " + deps.keySet());
        List<List<String>> cycles = cycles(edges(deps));
        if (!cycles.isEmpty()) {
            StringBuilder sb = new StringBuilder("package cycles in " + SOURCES + ":");
            for (List<String> cycle : cycles) {
                sb.append("\n  ").append(String.join(" <-> ", cycle)).append(':');
                for (String from : cycle) {
                    for (String to : cycle) {
                        Set<String> files = deps.get(from).get(to);
                        if (files != null) {
                            sb.append("\n    ").append(from).append(" -> ").append(to).append(" in ").append(files);
                        }
                    }
                }
            }
            fail(sb.toString());
        }
    }

    @Test
    void theEdgesTheIssueRemovedStayRemoved() throws IOException {
        Map<String, Map<String, Set<String>>> deps = dependencies(SOURCES);
        List<String> found = new ArrayList<>();
        for (List<String> edge : FORBIDDEN) {
            Set<String> files = deps.getOrDefault(edge.get(0), Map.of()).get(edge.get(1));
            if (files != null) {
                found.add(edge.get(0) + " -> " + edge.get(1) + " in " + files);
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void cyclesAreFoundBeyondPairs() {
        Map<String, Set<String>> g = new TreeMap<>();
        g.put("a", Set.of("b"));
        g.put("b", Set.of("c"));
        g.put("c", Set.of("a", "d"));
        g.put("d", Set.of());
        g.put("e", Set.of("f"));
        g.put("f", Set.of("e"));
        assertEquals(List.of(List.of("a", "b", "c"), List.of("e", "f")), cycles(g));
        g.put("c", Set.of("d"));
        assertEquals(List.of(List.of("e", "f")), cycles(g));
    }

    @Test
    void qualifiedNamesInCodeCountAndThoseInCommentsDoNot() {
        String src = "package dev.semaim.x;\nimport dev.semaim.a.A;\nimport static dev.semaim.b.B.f;\nimport dev.semaim.c.*;\n"
                + "/** {@link dev.semaim.d.D} */ class X { Object o = new dev.semaim.e.sub.E(); String s = \"dev.semaim.f.F\"; } // dev.semaim.g.G";
        assertEquals(Set.of("dev.semaim.a", "dev.semaim.b", "dev.semaim.c", "dev.semaim.e.sub"), referencedPackages(src));
    }

    /** package -> (package it uses -> the files that use it), for the packages declared under {@code root}. */
    static Map<String, Map<String, Set<String>>> dependencies(Path root) throws IOException {
        Map<String, String> sources = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                sources.put(root.relativize(f).toString(), Files.readString(f));
            }
        }
        Map<String, Map<String, Set<String>>> deps = new TreeMap<>();
        Map<String, String> packageOf = new HashMap<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Matcher m = PACKAGE.matcher(e.getValue());
            if (!m.find()) {
                throw new AssertionError(e.getKey() + " has no package declaration");
            }
            packageOf.put(e.getKey(), m.group(1));
            deps.put(m.group(1), new TreeMap<>());
        }
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String from = packageOf.get(e.getKey());
            for (String to : referencedPackages(e.getValue())) {
                if (!to.equals(from) && deps.containsKey(to)) {
                    deps.get(from).computeIfAbsent(to, k -> new TreeSet<>()).add(e.getKey());
                }
            }
        }
        return deps;
    }

    /** The packages a source names in its imports and code. */
    static Set<String> referencedPackages(String source) {
        Matcher m = QUALIFIED.matcher(NOT_CODE.matcher(source).replaceAll(" "));
        Set<String> out = new TreeSet<>();
        while (m.find()) {
            out.add(m.group());
        }
        PACKAGE.matcher(source).results().forEach(r -> out.remove(r.group(1)));
        return out;
    }

    private static Map<String, Set<String>> edges(Map<String, Map<String, Set<String>>> deps) {
        Map<String, Set<String>> g = new TreeMap<>();
        deps.forEach((from, tos) -> g.put(from, tos.keySet()));
        return g;
    }

    /** The strongly connected components of more than one node (Tarjan), each sorted, in order of their first node. */
    static List<List<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> out = new ArrayList<>();
        for (String v : graph.keySet()) {
            if (!index.containsKey(v)) {
                connect(v, graph, index, low, stack, onStack, out);
            }
        }
        out.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<List<String>> out) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                component.sort(null);
                out.add(component);
            }
        }
    }
}
