package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Misuse fails at once, with an exception that says what was wrong. */
class BadInputTest {

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 4097})
    void procsOutOfRangeIsRejectedNamingProcs(int procs) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scheduler.builder().procs(procs));
        assertTrue(e.getMessage().contains("procs") && e.getMessage().contains(String.valueOf(procs)), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 0, 1, -4, 6})
    void runQueueCapacityThatIsNotAPowerOfTwoOfAtLeastTwoIsRejected(int capacity) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().runQueueCapacity(capacity));
        assertTrue(e.getMessage().contains(String.valueOf(capacity)), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {1 << 17, 1 << 30})
    void runQueueCapacityAboveTheLimitIsRejectedNamingTheLimit(int capacity) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().runQueueCapacity(capacity));
        assertTrue(e.getMessage().contains(String.valueOf(capacity))
                && e.getMessage().contains(String.valueOf(Scheduler.Builder.MAX_RUN_QUEUE_CAPACITY)), e.getMessage());
        Scheduler.builder().runQueueCapacity(Scheduler.Builder.MAX_RUN_QUEUE_CAPACITY);
    }

    @ParameterizedTest
    @ValueSource(longs = {(1L << 30) + 1, Long.MAX_VALUE})
    void carrierStackSizeAboveTheLimitIsRejectedNamingTheLimit(long bytes) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().carrierStackSize(bytes));
        assertTrue(e.getMessage().contains("stack size") && e.getMessage().contains(String.valueOf(bytes))
                && e.getMessage().contains(String.valueOf(Scheduler.Builder.MAX_CARRIER_STACK_SIZE)), e.getMessage());
        Scheduler.builder().carrierStackSize(Scheduler.Builder.MAX_CARRIER_STACK_SIZE);
    }

    @Test
    void maxThreadsBelowProcsIsRejectedAtBuildNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder().maxThreads(1).procs(2).build());
        assertTrue(e.getMessage().contains("maxThreads (1)") && e.getMessage().contains("procs (2)"), e.getMessage());
    }

    @Test
    void maxThreadsLeftAtItsDefaultGrowsWithProcs() {
        try (Scheduler s = builder("default-max-threads").procs(2).build()) {
            assertEquals(42, join(s, s.submit(() -> 42)));
        }
        try (Scheduler s = builder("max-threads-equal-procs").procs(2).maxThreads(2).build()) {
            assertEquals(42, join(s, s.submit(() -> 42)));
        }
    }

    /**
     * Durations too long for nanoseconds ({@code toNanos} overflows beyond ~292 years) are clamped
     * to {@link Parking#MAX_WAIT_NANOS}: the scheduler builds, runs and closes. Before, the
     * constructor or {@code close()} threw {@link ArithmeticException}.
     */
    @Test
    void durationsBeyondTheNanosecondRangeAreClampedNotOverflowed() {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        try (Scheduler s = builder("huge-durations").procs(1).timeSlice(forever).schedtrace(forever)
                .deadlockGrace(forever).closeTimeout(forever).build()) {
            assertEquals(42, join(s, s.submit(() -> 42)));
        }
    }

    /**
     * A time slice over ~146 years overflowed sysmon's hog test ({@code 2 * timeSlice} went
     * negative), so every goroutine running a few sysmon rounds counted as a hog and had its
     * processor handed off: here, the second goroutine ran while the first still held the only
     * processor. Clamped, the slice can never be used up.
     */
    @Test
    void aTimeSliceSoLongThatTwiceItOverflowsHandsNothingOff() {
        try (Scheduler s = builder("huge-slice").procs(1).timeSlice(Duration.ofDays(200 * 365L)).build()) {
            AtomicBoolean secondRan = new AtomicBoolean();
            AtomicBoolean secondRanDuringFirst = new AtomicBoolean();
            AtomicBoolean firstStarted = new AtomicBoolean();
            Task<Void> first = s.submit(() -> {
                firstStarted.set(true);
                long until = System.nanoTime() + 500_000_000L; // keeps the processor without yielding
                while (!secondRan.get() && System.nanoTime() - until < 0) {
                    Thread.onSpinWait();
                }
                secondRanDuringFirst.set(secondRan.get());
            });
            awaitCondition(s, "the first goroutine to start", firstStarted::get);
            Task<Void> second = s.submit(() -> secondRan.set(true));
            join(s, first);
            join(s, second);
            assertTrue(!secondRanDuringFirst.get(), "a goroutine ran beside the one holding the only processor");
            assertEquals(0, s.stats().handoffs(), "no processor may be handed off: " + s.stats());
        }
    }

    @Test
    void otherBuilderArgumentsAreChecked() {
        Scheduler.Builder b = Scheduler.builder();
        assertThrows(NullPointerException.class, () -> b.stealPolicy(null));
        assertThrows(NullPointerException.class, () -> b.name(null));
        assertThrows(NullPointerException.class, () -> b.uncaughtExceptionHandler(null));
        assertThrows(IllegalArgumentException.class, () -> b.carrierStackSize(-1));
        assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void nullTaskIsRejectedWithNullPointerException() {
        try (Scheduler s = builder("null-task").procs(1).build()) {
            assertThrows(NullPointerException.class, () -> s.go((Runnable) null));
            assertThrows(NullPointerException.class, () -> s.go("named", null));
            assertThrows(NullPointerException.class, () -> s.submit((Runnable) null));
            assertThrows(NullPointerException.class, () -> s.submit((Callable<Object>) null));
            assertThrows(NullPointerException.class, () -> s.submit("named", null));
            assertEquals(0, s.stats().spawns(), "a rejected task spawns nothing");
        }
    }

    @Test
    void joiningItsOwnTaskFromInsideAGoroutineIsIllegal() {
        try (Scheduler s = builder("self-join").procs(1).build()) {
            AtomicReference<Task<Object>> self = new AtomicReference<>();
            Task<Object> t = s.submit(() -> {
                TestSupport.yieldUntil(() -> self.get() != null, "its own handle");
                try {
                    self.get().join();
                    return "joined itself";
                } catch (IllegalStateException expected) {
                    return expected;
                }
            });
            self.set(t);
            Object outcome = join(s, t);
            assertTrue(outcome instanceof IllegalStateException e && e.getMessage().contains("its own Task"), String.valueOf(outcome));
        }
    }

    @Test
    void lifecycleCallsFromItsOwnGoroutineAreIllegal() {
        try (Scheduler s = builder("self-close").procs(1).build()) {
            Task<String> t = s.submit(() -> {
                Scheduler me = Gmp.currentScheduler();
                StringBuilder messages = new StringBuilder();
                for (Runnable call : new Runnable[] {me::close, () -> me.close(Duration.ofSeconds(1)), me::shutdownNow,
                        () -> awaitTerminationUnchecked(me)}) {
                    try {
                        call.run();
                        messages.append("no exception;");
                    } catch (IllegalStateException expected) {
                        messages.append(expected.getMessage()).append(';');
                    }
                }
                return messages.toString();
            });
            String messages = join(s, t);
            assertEquals(4, messages.split("from goroutine", -1).length - 1, messages);
            assertTrue(messages.contains("close()") && messages.contains("shutdownNow()")
                    && messages.contains("awaitTermination()"), messages);
            assertTrue(!s.isShutdown(), "the rejected close must not have shut the scheduler down");
        }
    }

    private static void awaitTerminationUnchecked(Scheduler s) {
        try {
            s.awaitTermination(Duration.ofSeconds(1));
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Parking on a carrier thread outside any goroutine. User code reaches a bare carrier only
     * through a custom {@link StealPolicy}, which the carrier calls between goroutines.
     */
    @Test
    void parkingOnABareCarrierIsIllegal() {
        AtomicReference<Throwable> parkError = new AtomicReference<>();
        AtomicReference<Throwable> waiterError = new AtomicReference<>();
        AtomicBoolean sawGoroutine = new AtomicBoolean();
        StealPolicy parkingPolicy = new StealPolicy() {
            @Override
            public String name() {
                return "parks-on-carrier";
            }

            @Override
            public int order(int thief, Victims victims, int[] out) {
                if (Gmp.inGoroutine()) {
                    sawGoroutine.set(true);
                }
                capture(waiterError, Parking::currentWaiter);
                capture(parkError, () -> {
                    Parking.parkNanos(WaitReason.PARK, 1);
                    return null;
                });
                return StealPolicy.go().order(thief, victims, out);
            }

            @Override
            public int amount(int queued) {
                return StealPolicy.go().amount(queued);
            }
        };
        try (Scheduler s = builder("bare-carrier").procs(2).stealPolicy(parkingPolicy).build()) {
            // Spawning from inside wakes the idle processor, which then looks for work to steal.
            AtomicBoolean stop = new AtomicBoolean();
            Task<Void> spawner = s.submit(() -> {
                while (!stop.get()) {
                    Gmp.currentScheduler().go(() -> {});
                    Gmp.yield();
                }
            });
            try {
                awaitCondition(s, "the steal policy to be called", () -> parkError.get() != null && waiterError.get() != null);
            } finally {
                stop.set(true);
            }
            join(s, spawner);
        }
        for (Throwable e : new Throwable[] {parkError.get(), waiterError.get()}) {
            assertNotNull(e);
            assertTrue(e instanceof IllegalStateException && e.getMessage().contains("outside any goroutine"), e.toString());
        }
        assertTrue(!sawGoroutine.get(), "steal policies run on the bare carrier");
    }

    private static void capture(AtomicReference<Throwable> into, Supplier<?> call) {
        try {
            call.get();
            into.compareAndSet(null, new AssertionError("no exception"));
        } catch (Throwable t) {
            into.compareAndSet(null, t);
        }
    }
}
