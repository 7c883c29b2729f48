package gmpj.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * CPU pinning on this Linux machine, run with {@code --enable-native-access=ALL-UNNAMED} (Surefire's
 * argLine). Every pin happens on a throw-away platform thread, never on the JUnit thread, whose
 * mask the other tests rely on.
 */
class CpuAffinityTest {

    @Test
    void isSupportedOnLinuxWithNativeAccess() {
        assertTrue(CpuAffinity.supported(), () -> "unsupported: " + CpuAffinity.unsupportedReason());
        assertNull(CpuAffinity.unsupportedReason());
    }

    @Test
    void allowedCpusAreSortedDistinctAndCoverTheJvmsProcessorCount() {
        int[] cpus = supportedAllowedCpus();
        String shown = Arrays.toString(cpus);
        assertTrue(cpus.length > 0, "no allowed CPUs");
        for (int i = 0; i < cpus.length; i++) {
            assertTrue(cpus[i] >= 0 && cpus[i] < CpuAffinity.MAX_CPUS, "CPU out of range in " + shown);
            assertTrue(i == 0 || cpus[i - 1] < cpus[i], "not strictly ascending: " + shown);
        }
        // The JVM counts this thread's mask, then may lower the count for a container's CPU quota.
        int available = Runtime.getRuntime().availableProcessors();
        assertTrue(cpus.length >= available, shown + " has fewer CPUs than availableProcessors() = " + available);
    }

    @Test
    void pinnedThreadIsAllowedOnlyItsCpuAndItsChildrenInheritIt() throws Exception {
        int[] before = supportedAllowedCpus();
        int cpu = before[before.length - 1];

        int[][] pinnedAndChild = onThrowAwayThread(() -> {
            CpuAffinity.pinCurrentThread(cpu);
            int[] pinned = CpuAffinity.allowedCpus();
            int[] child = onThrowAwayThread(CpuAffinity::allowedCpus);
            return new int[][] {pinned, child};
        });

        assertArrayEquals(new int[] {cpu}, pinnedAndChild[0], "mask of the thread pinned to CPU " + cpu);
        assertArrayEquals(new int[] {cpu}, pinnedAndChild[1], "mask of a thread started by the pinned thread");
        assertArrayEquals(before, CpuAffinity.allowedCpus(), "the JUnit thread's mask must not change");
    }

    @Test
    void pinningToACpuOutsideTheAllowedSetNamesTheCpu() {
        int[] allowed = supportedAllowedCpus();
        int cpu = highestCpuNotIn(allowed);
        assumeTrue(cpu >= 0, "every CPU up to 1023 is allowed here; no CPU to refuse");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> onThrowAwayThread(() -> pin(cpu)));

        assertTrue(e.getMessage().contains("CPU " + cpu), e.getMessage());
        assertTrue(e.getMessage().contains("errno"), e.getMessage());
        assertTrue(e.getMessage().contains(Arrays.toString(allowed)), e.getMessage());
    }

    @Test
    void negativeCpuIsRejectedAsAnArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> onThrowAwayThread(() -> pin(-1)));
        assertTrue(e.getMessage().contains("CPU -1"), e.getMessage());
    }

    @Test
    void cpuBeyondTheMaskIsRejectedAsAnArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> onThrowAwayThread(() -> pin(CpuAffinity.MAX_CPUS)));
        assertTrue(e.getMessage().contains("CPU " + CpuAffinity.MAX_CPUS), e.getMessage());
    }

    @Test
    void virtualThreadIsNotPinned() throws InterruptedException {
        assumeTrue(CpuAffinity.supported(), CpuAffinity::unsupportedReason);
        Throwable[] thrown = new Throwable[1];
        Thread.ofVirtual().start(() -> {
            try {
                CpuAffinity.pinCurrentThread(0);
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }).join();
        assertTrue(thrown[0] instanceof IllegalStateException, "expected IllegalStateException, got " + thrown[0]);
    }

    /** The calling thread's allowed CPUs, failing with the reason if affinity is unsupported. */
    private static int[] supportedAllowedCpus() {
        assertTrue(CpuAffinity.supported(), () -> "unsupported: " + CpuAffinity.unsupportedReason());
        int[] cpus = CpuAffinity.allowedCpus();
        assertNotEquals(0, cpus.length, "allowedCpus() is empty although affinity is supported");
        return cpus;
    }

    private static Void pin(int cpu) {
        CpuAffinity.pinCurrentThread(cpu);
        return null;
    }

    /** 1023 unless allowed, else the highest CPU below it that is not allowed; -1 if all are. */
    private static int highestCpuNotIn(int[] allowed) {
        for (int cpu = CpuAffinity.MAX_CPUS - 1; cpu >= 0; cpu--) {
            if (Arrays.binarySearch(allowed, cpu) < 0) {
                return cpu;
            }
        }
        return -1;
    }

    /** Runs {@code body} on a new platform thread that then ends, rethrowing what it threw. */
    private static <T> T onThrowAwayThread(Callable<T> body) throws Exception {
        FutureTask<T> task = new FutureTask<>(body);
        Thread.ofPlatform().name("cpu-affinity-test").start(task);
        try {
            return task.get(TestSupport.LIVENESS.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception thrown) {
                throw thrown;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
