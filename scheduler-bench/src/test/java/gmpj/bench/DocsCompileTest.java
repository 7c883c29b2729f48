package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java code block of the README and of the package overviews compiles against the current
 * API, and the runnable ones run, so the documentation cannot drift from the code.
 *
 * <p>Blocks are the README's {@code ```java} fences and the {@code <pre>{@code ...}</pre>} blocks of
 * the {@code package-info.java} files (un-escaped as Javadoc shows them). Each block is wrapped by
 * what it holds:
 * <ul>
 *   <li>a top-level {@code class}, {@code record}, {@code interface} or {@code enum} declaration:
 *       compiled as a file of its own;</li>
 *   <li>a method (annotations, then a signature and a body, like a {@code @SynctestTest} method):
 *       compiled as a member of a class;</li>
 *   <li>otherwise statements: the body of a method of a class, and run.</li>
 * </ul>
 * The class has the usual imports ({@code gmpj.core.*}, {@code gmpj.sync.*}, {@code gmpj.net.*},
 * {@code gmpj.testing.*}, {@code java.time.*}, {@code java.util.*},
 * {@code java.util.concurrent.*}, {@code java.nio.file.*} and JUnit's {@code Assertions}), the
 * block's own {@code import} lines moved to the top, and a field {@code Scheduler s}: the running
 * scheduler that examples such as the README's {@code wg.go(s, ...)} take as given (a block that
 * declares its own {@code s} shadows it). A statement block runs in a class loader of its own on a
 * thread of its own, bounded by {@link #RUN_LIMIT_SECONDS}.
 *
 * <p>An HTML comment on the line before a block changes that: {@code <!-- docs-test: compile-only -->}
 * (optionally with a reason in parentheses) compiles without running, for blocks that open sockets,
 * write files or fail on purpose; {@code <!-- docs-test: skip (reason) -->} leaves a fragment out,
 * and must say why. A failure names the file, the block's first line and the compiler's message
 * with the line in that file.
 */
class DocsCompileTest {

    /** How long one runnable block may take before it fails. */
    static final int RUN_LIMIT_SECONDS = 60;

    static final List<String> PACKAGE_OVERVIEWS = List.of(
            "scheduler-core/src/main/java/gmpj/core/package-info.java",
            "scheduler-core/src/main/java/gmpj/net/package-info.java",
            "scheduler-core/src/main/java/gmpj/testing/package-info.java",
            "scheduler-sync/src/main/java/gmpj/sync/package-info.java");

    static final List<String> IMPORTS = List.of(
            "import gmpj.core.*;",
            "import gmpj.sync.*;",
            "import gmpj.net.*;",
            "import gmpj.testing.*;",
            "import java.time.*;",
            "import java.util.*;",
            "import java.util.concurrent.*;",
            "import java.nio.file.*;",
            "import static org.junit.jupiter.api.Assertions.*;");

    enum Mode { RUN, COMPILE_ONLY, SKIP }

    /** A code block: where it is (file relative to the repository root, first line of code), its text and mode. */
    record Block(String file, int line, String code, Mode mode, String reason) {
        String where() {
            return file + ":" + line;
        }
    }

    enum Shape { TYPE, METHOD, STATEMENTS }

    /** A compilation unit made from a block; {@code sourceLines[i]} is the documentation line of generated line i + 1, or 0. */
    record Unit(String className, String source, int[] sourceLines, Shape shape) {}

    @TempDir
    static Path work;

    @TestFactory
    Stream<DynamicTest> everyDocumentedJavaBlockCompilesAndTheRunnableOnesRun() throws IOException {
        Path root = repositoryRoot();
        List<Block> blocks = allBlocks(root);
        assertTrue(blocks.stream().filter(b -> b.file().equals("README.md")).count() >= 5,
                "README.md should have at least 5 ```java blocks; found " + blocks);
        int[] n = {0};
        return blocks.stream().map(b -> {
            int index = n[0]++;
            String name = b.where() + " (" + b.mode().name().toLowerCase(Locale.ROOT).replace('_', '-') + ")";
            return DynamicTest.dynamicTest(name, () -> check(b, index));
        });
    }

    static void check(Block block, int index) throws Exception {
        if (block.mode() == Mode.SKIP) {
            return;
        }
        Unit unit = wrap(block, "DocBlock" + index);
        Path dir = Files.createDirectories(work.resolve("block" + index));
        List<String> errors = compile(block, unit, dir);
        if (!errors.isEmpty()) {
            fail(block.where() + ": the code block does not compile against the current API:\n"
                    + String.join("\n", errors) + "\n--- as compiled:\n" + unit.source());
        }
        if (block.mode() == Mode.RUN && unit.shape() == Shape.STATEMENTS) {
            run(block, unit, dir);
        }
    }

    // ---------------------------------------------------------------- finding the blocks

    static Path repositoryRoot() throws IOException {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            if (Files.isRegularFile(pom) && Files.readString(pom).contains("<modules>")
                    && Files.isRegularFile(p.resolve("README.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("no parent pom.xml with <modules> and a README.md above "
                + Path.of("").toAbsolutePath());
    }

    static List<Block> allBlocks(Path root) throws IOException {
        List<Block> blocks = new ArrayList<>(markdownBlocks("README.md", Files.readString(root.resolve("README.md"))));
        for (String overview : PACKAGE_OVERVIEWS) {
            Path file = root.resolve(overview);
            assertTrue(Files.isRegularFile(file), "missing package overview " + file);
            blocks.addAll(javadocBlocks(overview, Files.readString(file)));
        }
        return blocks;
    }

    static final Pattern MARKER = Pattern.compile("<!--\\s*docs-test:\\s*(.*?)\\s*-->");
    static final Pattern MARKER_BODY = Pattern.compile("(compile-only|skip)\\s*(?:\\((.*)\\))?");

    /** The {@code ```java} fences of a Markdown text. */
    static List<Block> markdownBlocks(String file, String text) {
        String[] lines = text.split("\n", -1);
        List<Block> blocks = new ArrayList<>();
        String pendingMarker = null;
        int markerLine = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            Matcher m = MARKER.matcher(line);
            if (m.matches()) {
                pendingMarker = m.group(1);
                markerLine = i + 1;
                continue;
            }
            if (line.startsWith("```")) {
                int start = i + 1;
                StringBuilder code = new StringBuilder();
                for (i++; i < lines.length && !lines[i].strip().equals("```"); i++) {
                    code.append(lines[i]).append('\n');
                }
                if (i == lines.length) {
                    throw new IllegalStateException(file + ":" + start + ": a code fence that is never closed");
                }
                if (line.equals("```java")) {
                    blocks.add(block(file, start + 1, code.toString(), pendingMarker, markerLine));
                } else if (pendingMarker != null) {
                    throw new IllegalStateException(file + ":" + markerLine
                            + ": a docs-test marker must come right before a ```java block, not " + line);
                }
                pendingMarker = null;
                continue;
            }
            if (pendingMarker != null && !line.isEmpty()) {
                throw new IllegalStateException(file + ":" + markerLine
                        + ": a docs-test marker must come right before a ```java block");
            }
        }
        if (pendingMarker != null) {
            throw new IllegalStateException(file + ":" + markerLine + ": a docs-test marker with no block after it");
        }
        return blocks;
    }

    /** The {@code <pre>{@code ...}</pre>} blocks of a Java source's comments, as Javadoc shows them. */
    static List<Block> javadocBlocks(String file, String text) {
        String[] raw = text.split("\n", -1);
        List<String> lines = new ArrayList<>();
        for (String l : raw) {
            lines.add(l.replaceFirst("^\\s*(/\\*\\*|\\*/|\\*(?!/))? ?", ""));
        }
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int at = lines.get(i).indexOf("<pre>{@code");
            if (at < 0) {
                continue;
            }
            String marker = null;
            int markerLine = 0;
            for (int j = i - 1; j >= 0 && marker == null; j--) {
                String before = lines.get(j).strip();
                Matcher m = MARKER.matcher(before);
                if (m.find()) {
                    marker = m.group(1);
                    markerLine = j + 1;
                } else if (!before.isEmpty()) {
                    break;
                }
            }
            int first = i + 1;
            StringBuilder code = new StringBuilder();
            String rest = lines.get(i).substring(at + "<pre>{@code".length());
            int depth = 1;
            int line = i;
            boolean closed = false;
            while (!closed) {
                for (int c = 0; c < rest.length(); c++) {
                    char ch = rest.charAt(c);
                    if (ch == '{') {
                        depth++;
                    } else if (ch == '}' && --depth == 0) {
                        closed = true;
                        break;
                    }
                    code.append(ch);
                }
                if (!closed) {
                    code.append('\n');
                    if (++line == lines.size()) {
                        throw new IllegalStateException(file + ":" + first + ": a {@code block that is never closed");
                    }
                    rest = lines.get(line);
                }
            }
            String body = code.toString();
            if (body.startsWith("\n")) {
                body = body.substring(1);
                first++;
            }
            blocks.add(block(file, first, unescapeJavadoc(body), marker, markerLine));
            i = line;
        }
        return blocks;
    }

    static String unescapeJavadoc(String code) {
        return code.replace("{@literal @}", "@")
                .replace("&#64;", "@")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    static Block block(String file, int line, String code, String marker, int markerLine) {
        if (marker == null) {
            return new Block(file, line, code, Mode.RUN, null);
        }
        Matcher m = MARKER_BODY.matcher(marker);
        if (!m.matches()) {
            throw new IllegalStateException(file + ":" + markerLine + ": unknown docs-test marker '" + marker
                    + "'; use 'compile-only', 'compile-only (reason)' or 'skip (reason)'");
        }
        String reason = m.group(2) == null ? null : m.group(2).strip();
        if (m.group(1).equals("skip")) {
            if (reason == null || reason.isEmpty()) {
                throw new IllegalStateException(file + ":" + markerLine
                        + ": a docs-test skip marker must give its reason: <!-- docs-test: skip (why) -->");
            }
            return new Block(file, line, code, Mode.SKIP, reason);
        }
        return new Block(file, line, code, Mode.COMPILE_ONLY, reason);
    }

    // ---------------------------------------------------------------- wrapping

    static final Pattern IMPORT = Pattern.compile("import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;");
    static final Pattern TYPE_DECLARATION = Pattern.compile(
            "(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:public|final|abstract|sealed|non-sealed|static|strictfp)\\s+)*"
                    + "(class|record|interface|enum|@interface)\\s+(\\w+).*");
    static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?:@\\w+(?:\\([^)]*\\))?\\s+)*(?:(?:final|abstract|sealed|non-sealed|static|strictfp)\\s+)*public\\s+"
                    + "(?:(?:final|abstract|sealed|non-sealed|static|strictfp)\\s+)*(?:class|record|interface|enum|@interface)\\s+(\\w+).*");
    static final Pattern METHOD_SIGNATURE = Pattern.compile(
            "(?:(?:public|protected|private|static|final|synchronized|abstract|default)\\s+)*(?:<[^>]*>\\s+)?"
                    + "(?!new\\b|return\\b|throw\\b|else\\b)[\\w.]+(?:<[^;=]*>)?(?:\\[\\])*\\s+\\w+\\s*\\([^;=]*\\)\\s*"
                    + "(?:throws\\s+[\\w.,\\s]+)?\\{.*");

    static Unit wrap(Block block, String className) {
        String[] lines = block.code().split("\n", -1);
        List<String> imports = new ArrayList<>();
        List<Integer> importLines = new ArrayList<>();
        List<String> body = new ArrayList<>();
        List<Integer> bodyLines = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String stripped = line.strip();
            if (IMPORT.matcher(stripped).matches()) {
                imports.add(stripped);
                importLines.add(block.line() + i);
            } else {
                body.add(stripped.equals("...") ? "" : line);
                bodyLines.add(block.line() + i);
            }
        }
        Shape shape = shape(body);
        List<String> out = new ArrayList<>();
        List<Integer> map = new ArrayList<>();
        String name = className;
        if (shape == Shape.TYPE) {
            for (String line : body) {
                Matcher m = PUBLIC_TYPE.matcher(line);
                if (!line.startsWith(" ") && m.matches()) {
                    name = m.group(1);
                    break;
                }
            }
        }
        for (String i : IMPORTS) {
            out.add(i);
            map.add(0);
        }
        out.addAll(imports);
        map.addAll(importLines);
        if (shape == Shape.TYPE) {
            out.addAll(body);
            map.addAll(bodyLines);
        } else {
            out.add("public class " + className + " {");
            map.add(0);
            out.add("    static Scheduler s;");
            map.add(0);
            if (shape == Shape.STATEMENTS) {
                out.add("    public static void run() throws Exception {");
                out.add("        try (Scheduler given = Scheduler.builder().procs(2).build()) { s = given; body(); }");
                out.add("    }");
                out.add("    static void body() throws Exception {");
                map.addAll(List.of(0, 0, 0, 0));
            }
            out.addAll(body);
            map.addAll(bodyLines);
            if (shape == Shape.STATEMENTS) {
                out.add("    }");
                map.add(0);
            }
            out.add("}");
            map.add(0);
        }
        return new Unit(name, String.join("\n", out) + "\n", map.stream().mapToInt(Integer::intValue).toArray(), shape);
    }

    /** What a block holds, judged by its first top-level line of code (not indented, not a comment). */
    static Shape shape(List<String> body) {
        boolean first = true;
        Shape shape = Shape.STATEMENTS;
        for (String line : body) {
            if (line.isBlank() || line.startsWith(" ") || line.startsWith("\t")) {
                continue;
            }
            String s = line.strip();
            if (s.startsWith("//") || s.startsWith("/*") || s.startsWith("*")) {
                continue;
            }
            if (TYPE_DECLARATION.matcher(s).matches()) {
                return Shape.TYPE;
            }
            if (first) {
                first = false;
                String withoutAnnotations = s.replaceFirst("^(@\\w+(\\([^)]*\\))?\\s*)+", "");
                if (!withoutAnnotations.equals(s) || METHOD_SIGNATURE.matcher(s).matches()) {
                    shape = Shape.METHOD;
                }
            }
        }
        return shape;
    }

    // ---------------------------------------------------------------- compiling and running

    /** Compiles {@code unit} into {@code dir}; returns the errors, each naming the documentation line. */
    static List<String> compile(Block block, Unit unit, Path dir) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "no system Java compiler: the tests must run on a JDK");
        Path source = dir.resolve(unit.className() + ".java");
        Files.writeString(source, unit.source(), StandardCharsets.UTF_8);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of(
                    "-classpath", System.getProperty("java.class.path"),
                    "-d", dir.toString(),
                    "-proc:none",
                    "-Xlint:none",
                    "-encoding", "UTF-8");
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(source)).call();
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                long generated = d.getLineNumber();
                int documented = generated >= 1 && generated <= unit.sourceLines().length
                        ? unit.sourceLines()[(int) generated - 1] : 0;
                String where = documented > 0 ? block.file() + ":" + documented : "(wrapper line " + generated + ")";
                errors.add(where + ": " + d.getMessage(Locale.ROOT));
            }
            if (!ok && errors.isEmpty()) {
                errors.add(block.where() + ": the compiler failed without an error message");
            }
            return errors;
        }
    }

    /** Runs a compiled statement block in a class loader of its own, on a thread of its own, with a time limit. */
    static void run(Block block, Unit unit, Path dir) throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                DocsCompileTest.class.getClassLoader())) {
            Class<?> type = Class.forName(unit.className(), true, loader);
            FutureTask<Void> task = new FutureTask<>(() -> {
                type.getMethod("run").invoke(null);
                return null;
            });
            Thread runner = new Thread(task, "docs-block " + block.where());
            runner.setDaemon(true);
            runner.start();
            try {
                task.get(RUN_LIMIT_SECONDS, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                runner.interrupt();
                fail(block.where() + ": the code block still runs after " + RUN_LIMIT_SECONDS + " s");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() instanceof InvocationTargetException ite ? ite.getCause() : e.getCause();
                throw new AssertionError(block.where() + ": the code block compiles but fails when run: " + cause, cause);
            }
        }
    }

    // ---------------------------------------------------------------- the checker itself

    @Test
    void aDriftedBlockFailsNamingItsFileLineAndTheCompilersMessage() {
        String readme = """
                text

                ```java
                import gmpj.core.*;

                try (Scheduler s = Scheduler.builder().procs(1).build()) {
                    System.out.println(s.submit(() -> 6 * 7).joinNow());
                }
                ```
                """;
        List<Block> blocks = markdownBlocks("README.md", readme);
        assertEquals(1, blocks.size());
        assertEquals(4, blocks.get(0).line());
        AssertionError e = assertThrows(AssertionError.class, () -> check(blocks.get(0), 1_000));
        assertTrue(e.getMessage().startsWith("README.md:4: the code block does not compile"), e.getMessage());
        assertTrue(e.getMessage().contains("README.md:7: cannot find symbol"), e.getMessage());
        assertTrue(e.getMessage().contains("joinNow()"), e.getMessage());
    }

    @Test
    void aRunnableBlockThatThrowsFailsAndACompileOnlyOneIsNotRun() throws Exception {
        String readme = """
                ```java
                assertEquals(2, Gmp.inGoroutine() ? 1 : 3);
                ```

                <!-- docs-test: compile-only (fails on purpose) -->
                ```java
                assertEquals(2, Gmp.inGoroutine() ? 1 : 3);
                ```
                """;
        List<Block> blocks = markdownBlocks("README.md", readme);
        AssertionError e = assertThrows(AssertionError.class, () -> check(blocks.get(0), 1_001));
        assertTrue(e.getMessage().startsWith("README.md:2: the code block compiles but fails when run"), e.getMessage());
        assertEquals(Mode.COMPILE_ONLY, blocks.get(1).mode());
        assertEquals("fails on purpose", blocks.get(1).reason());
        check(blocks.get(1), 1_002);
    }

    @Test
    void markersNeedAKnownModeAndASkipNeedsAReason() {
        IllegalStateException noReason = assertThrows(IllegalStateException.class, () -> markdownBlocks("README.md",
                "<!-- docs-test: skip -->\n```java\nint x = 1;\n```\n"));
        assertTrue(noReason.getMessage().contains("README.md:1: a docs-test skip marker must give its reason"),
                noReason.getMessage());
        IllegalStateException emptyReason = assertThrows(IllegalStateException.class, () -> markdownBlocks("README.md",
                "<!-- docs-test: skip ( ) -->\n```java\nint x = 1;\n```\n"));
        assertTrue(emptyReason.getMessage().contains("must give its reason"), emptyReason.getMessage());
        IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> markdownBlocks("README.md",
                "<!-- docs-test: ignore -->\n```java\nint x = 1;\n```\n"));
        assertTrue(unknown.getMessage().contains("unknown docs-test marker 'ignore'"), unknown.getMessage());
        IllegalStateException stray = assertThrows(IllegalStateException.class, () -> markdownBlocks("README.md",
                "<!-- docs-test: compile-only -->\n```xml\n<a/>\n```\n"));
        assertTrue(stray.getMessage().contains("right before a ```java block"), stray.getMessage());
        Block skipped = markdownBlocks("README.md", "<!-- docs-test: skip (a fragment) -->\n\n```java\nx;\n```\n").get(0);
        assertEquals(Mode.SKIP, skipped.mode());
        assertEquals("a fragment", skipped.reason());
    }

    @Test
    void javadocBlocksAreUnescapedAsJavadocShowsThem() throws Exception {
        String overview = """
                /**
                 * An overview.
                 *
                 * <pre>{@code
                 * List<Integer> xs = new ArrayList<>();
                 * if (xs.isEmpty()) { xs.add(1 &lt; 2 &amp;&amp; 3 &gt; 2 ? 1 : 0); }
                 * assertEquals(List.of(1), xs);
                 * }</pre>
                 * <!-- docs-test: compile-only -->
                 * <pre>{@code
                 * &#64;Deprecated class Old {}
                 * {@literal @}FunctionalInterface interface Op { int apply(int x); }
                 * }</pre>
                 */
                package gmpj.example;
                """;
        List<Block> blocks = javadocBlocks("x/package-info.java", overview);
        assertEquals(2, blocks.size());
        assertEquals(5, blocks.get(0).line());
        assertEquals("""
                List<Integer> xs = new ArrayList<>();
                if (xs.isEmpty()) { xs.add(1 < 2 && 3 > 2 ? 1 : 0); }
                assertEquals(List.of(1), xs);
                """, blocks.get(0).code());
        assertEquals(Mode.RUN, blocks.get(0).mode());
        check(blocks.get(0), 1_003);
        assertEquals(Mode.COMPILE_ONLY, blocks.get(1).mode());
        assertTrue(blocks.get(1).code().startsWith("@Deprecated class Old {}\n@FunctionalInterface interface"),
                blocks.get(1).code());
        assertEquals(Shape.TYPE, wrap(blocks.get(1), "Unused").shape());
        check(blocks.get(1), 1_004);
    }

    @Test
    void blocksAreWrappedByWhatTheyHold() {
        assertEquals(Shape.STATEMENTS, shape(List.of("for (int i = 0; i < 3; i++) {", "}")));
        assertEquals(Shape.STATEMENTS, shape(List.of("try (Scheduler s = Scheduler.builder().build()) {", "}")));
        assertEquals(Shape.STATEMENTS, shape(List.of("new Thread(() -> {", "}).start();")));
        assertEquals(Shape.METHOD, shape(List.of("@SynctestTest(seeds = 100)   // a comment", "void t() {", "}")));
        assertEquals(Shape.METHOD, shape(List.of("void t() throws Exception {", "}")));
        assertEquals(Shape.TYPE, shape(List.of("// a record", "record Point(int x, int y) {}")));
        assertEquals(Shape.TYPE, shape(List.of("public final class Demo {", "}")));
        Unit unit = wrap(new Block("README.md", 10, "public class Demo {\n}\n", Mode.COMPILE_ONLY, null), "DocBlock0");
        assertEquals("Demo", unit.className());
        assertFalse(unit.source().contains("DocBlock0"));
    }
}
