package dev.semaim.tests.library;

import dev.semaim.tensor.cpu.KernelMode;
import dev.semaim.tensor.testing.Jvm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The README's "Use it as a library" program, taken from the README text itself, compiled against the test class
 * path and run in a child JVM: with the Vector API module (as the README says to start it) and without (issue 19
 * item 8: the reference kernels after one warning line). A README edit that breaks the program fails here.
 */
class ReadmeLibraryExampleTest {
    static final String HEADING = "## Use it as a library";

    @TempDir
    static Path classes;
    static String mainClass;

    @BeforeAll
    static void compileTheReadmeProgram() throws IOException {
        String source = javaBlockUnderHeading(Files.readString(readme()));
        Matcher m = Pattern.compile("public\\s+class\\s+(\\w+)").matcher(source);
        assertTrue(m.find(), "the README's java block declares no public class:\n" + source);
        mainClass = m.group(1);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> options = List.of("--release", "17", "--add-modules", "jdk.incubator.vector", "-cp", cp,
                "-d", classes.toString());
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + mainClass + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override public CharSequence getCharContent(boolean ignoreEncodingErrors) { return source; }
        };
        boolean ok = javac.getTask(null, null, diagnostics, options, null, List.of(file)).call();
        if (!ok) fail("the README's library example does not compile:\n" + diagnostics.getDiagnostics());
    }

    @Test
    void theProgramTrainsSavesAndReloads() {
        checkRun(Jvm.run(true, classes, mainClass));
    }

    @Test
    void withoutTheVectorApiModuleTheProgramRunsOnTheReferenceKernelsAfterOneWarning() {
        String out = Jvm.run(false, classes, mainClass);
        assertTrue(out.startsWith(KernelMode.NO_VECTOR_API_WARNING + "\n"), out);
        assertEquals(1, out.split(Pattern.quote(KernelMode.NO_VECTOR_API_WARNING), -1).length - 1, "one warning line:\n" + out);
        checkRun(out.substring(KernelMode.NO_VECTOR_API_WARNING.length()).trim());
    }

    /** Five finite losses, the last below the first (one batch, five AdamW steps), then the reload line. */
    private static void checkRun(String out) {
        String[] lines = out.split("\n");
        assertEquals(6, lines.length, out);
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Matcher m = Pattern.compile("step " + (i + 1) + ": loss (\\S+)").matcher(lines[i]);
            assertTrue(m.matches(), out);
            losses.add(Double.parseDouble(m.group(1)));
        }
        assertTrue(losses.stream().allMatch(Double::isFinite) && losses.get(4) < losses.get(0), "losses " + losses);
        assertTrue(lines[5].startsWith("saved and reloaded ") && lines[5].contains(" tensors: "), out);
    }

    /** The first ```java fenced block between the heading and the next level-2 heading. */
    static String javaBlockUnderHeading(String readme) {
        int start = readme.indexOf("\n" + HEADING + "\n");
        assertTrue(start >= 0, "README.md has no '" + HEADING + "' section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Matcher m = Pattern.compile("\n```java\n(.*?)\n```\n", Pattern.DOTALL).matcher(section);
        assertTrue(m.find(), "the '" + HEADING + "' section of README.md has no ```java block");
        return m.group(1);
    }

    /** README.md at the repository root; the tests run in the module's folder. */
    private static Path readme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("README.md");
            if (Files.exists(dir.resolve("pom.xml")) && Files.exists(dir.resolve("tests")) && Files.exists(p)) return p;
        }
        throw new AssertionError("README.md of the repository not found above " + Path.of("").toAbsolutePath());
    }
}
