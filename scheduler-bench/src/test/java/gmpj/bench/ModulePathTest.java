package gmpj.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gmpj.core.Scheduler;
import gmpj.sync.Chan;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gmpj on the module path: a program of its own module ({@code requires gmpj.sync}) is compiled
 * here and run in a child JVM with {@code --module-path} and {@code -m}. With exactly the flag the
 * README gives for module-path users it runs goroutines; without it, building a scheduler fails
 * with the sentence naming that flag.
 */
class ModulePathTest {
    private static final String FLAG = "--add-exports=java.base/jdk.internal.vm=gmpj.core";

    private static final String MODULE_INFO = """
            module gmpj.modtest {
                requires gmpj.sync;
            }
            """;

    private static final String MAIN = """
            package gmpj.modtest;

            import gmpj.core.Scheduler;
            import gmpj.core.Task;
            import gmpj.sync.Chan;

            public final class Main {
                public static void main(String[] args) {
                    try (Scheduler s = Scheduler.builder().procs(2).build()) {
                        Chan<Integer> answers = new Chan<>();
                        s.go(() -> answers.send(6 * 7));
                        Task<Integer> got = s.submit(() -> answers.receive().value());
                        System.out.println("ANSWER " + got.join() + " FROM " + Scheduler.class.getModule());
                    } catch (Throwable t) {
                        System.out.println("FAILED " + t.getClass().getName() + ": " + t.getMessage());
                    }
                }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void aModuleRunsGoroutinesWithTheModuleFlag() throws Exception {
        String output = run(List.of(FLAG));
        assertTrue(output.contains("ANSWER 42 FROM module gmpj.core"), "expected the goroutine's answer, got:\n" + output);
    }

    @Test
    void withoutTheFlagTheErrorNamesTheModuleFlag() throws Exception {
        String output = run(List.of());
        assertFalse(output.contains("IllegalAccessError"), "the user must not see an IllegalAccessError:\n" + output);
        assertTrue(output.contains("FAILED java.lang.IllegalStateException") && output.contains(FLAG),
                "expected an IllegalStateException naming " + FLAG + ", got:\n" + output);
    }

    /** Compiles the program against gmpj's modules and runs it with {@code flags}; its output. */
    private String run(List<String> flags) throws IOException, InterruptedException, ReflectiveOperationException, URISyntaxException {
        String modulePath = String.join(File.pathSeparator,
                location(Scheduler.class), location(Chan.class), location(Class.forName("org.HdrHistogram.Histogram")));
        Path src = dir.resolve("src");
        Path classes = dir.resolve("classes");
        Files.createDirectories(src.resolve("gmpj/modtest"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("gmpj/modtest/Main.java"), MAIN);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--module-path", modulePath, "-d", classes.toString(),
                src.resolve("module-info.java").toString(), src.resolve("gmpj/modtest/Main.java").toString());
        assertEquals(0, rc, "javac exit status");

        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(flags);
        command.addAll(List.of("--module-path", classes + File.pathSeparator + modulePath, "-m", "gmpj.modtest/gmpj.modtest.Main"));
        ProcessBuilder pb = new ProcessBuilder(command);
        // Flags from the environment would reach the child too; it must get only the ones above.
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.redirectErrorStream(true);
        Process child = pb.start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not exit; output so far:\n" + output);
        assertEquals(0, child.exitValue(), "child exit status; output:\n" + output);
        return output;
    }

    /** The jar or class folder {@code type} was loaded from. */
    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
