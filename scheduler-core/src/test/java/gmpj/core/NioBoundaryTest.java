package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * NIO channels key their locks and buffer caches on {@code Thread.currentThread()}; C2 may keep
 * that value from before a goroutine's park, when the goroutine has since moved to another carrier
 * (with HTTP load, a connection's lock was then released under the wrong carrier's name,
 * {@code IllegalMonitorStateException}, and its close hung). {@link NioBoundary} makes each NIO
 * call in a frame C2 compiles on its own. This runs {@link NioBoundaryMain} in a JVM with C2 only
 * and expects no stale value inside the channel: with the boundary's handles made constants
 * ({@code final}), C2 inlines the channel into the parking loop and about a third of the reads see
 * the old carrier.
 */
class NioBoundaryTest {
    @Test
    void channelCallsSeeTheCarrierTheGoroutineRunsOnNow() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-XX:-TieredCompilation",
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), NioBoundaryMain.class.getName()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
