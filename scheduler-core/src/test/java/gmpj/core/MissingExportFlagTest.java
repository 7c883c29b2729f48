package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A user who forgets {@code --add-exports java.base/jdk.internal.vm=ALL-UNNAMED} gets one sentence
 * naming the flag, not an {@link IllegalAccessError} from class loading. Checked in a child JVM
 * started with the same {@code java} and class path as this one, but without the flag.
 */
class MissingExportFlagTest {
    private static final String FLAG = "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED";

    @Test
    void buildingWithoutTheExportFlagNamesTheFlag() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                NoExportFlagMain.class.getName()));
        // Flags from the environment would reach the child too; it must start without any.
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("_JAVA_OPTIONS");
        pb.redirectErrorStream(true);
        Process child = pb.start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child JVM did not exit; output so far:\n" + output);

        assertEquals(0, child.exitValue(), "child exit status; output:\n" + output);
        assertFalse(output.contains("IllegalAccessError"), "the user must not see an IllegalAccessError:\n" + output);
        assertTrue(output.contains("FAILED java.lang.IllegalStateException") && output.contains(FLAG),
                "expected an IllegalStateException naming " + FLAG + ", got:\n" + output);
    }
}
