package gmpj.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * NIO channels guard every read, write, accept, connect and close with {@code ReentrantLock}s
 * owned by {@code Thread.currentThread()}, and keep temporary direct buffers in thread-locals. In
 * a goroutine, C2 may keep a {@code currentThread()} value from before a park: after the goroutine
 * moves to the other carrier, a lock taken under the old carrier's name is released under the new
 * one ({@code IllegalMonitorStateException}, and the lock stays held, so a later close blocks its
 * carrier for good). gmpj.net therefore makes every NIO call through a compilation boundary
 * ({@code Nio}). This runs echo round trips that migrate between carriers in a JVM with C2 only
 * (where the stale value shows within seconds) and expects every one intact.
 */
class CompiledMigrationTest {
    @Test
    void echoRoundTripsSurviveMigrationsInC2CompiledCode() throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-XX:-TieredCompilation",
                "--add-exports=java.base/jdk.internal.vm=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), MigratingEchoMain.class.getName()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "the echo run failed:\n" + text);
    }
}
