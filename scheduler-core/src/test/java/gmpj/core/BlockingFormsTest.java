package gmpj.core;

import static gmpj.core.TestSupport.awaitCondition;
import static gmpj.core.TestSupport.builder;
import static gmpj.core.TestSupport.describe;
import static gmpj.core.TestSupport.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The two forms of {@link Gmp#blocking}: a {@code Callable} with a result, and a block without one
 * whose checked exception type the compiler infers. Most of what this test checks is that it
 * compiles: each call below would fail to compile if the overload or the exception type were
 * inferred differently.
 */
class BlockingFormsTest {

    /** Compiles only if {@code E} is inferred as {@link InterruptedException}, which this method declares. */
    private static void sleepsBriefly() throws InterruptedException {
        Gmp.blocking(() -> Thread.sleep(5));
    }

    /** Compiles only if a block that throws no checked exception infers {@code E} as a runtime exception. */
    private static void countsWithoutATry(AtomicInteger counter) {
        Gmp.blocking(() -> {
            counter.incrementAndGet();
        });
    }

    @Test
    void theNoResultFormFitsInARunnableThatCatchesOnlyWhatTheBlockThrows() {
        AtomicInteger ran = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable body = () -> {
            try {
                Gmp.blocking(() -> Thread.sleep(5)); // only InterruptedException to catch
                sleepsBriefly();
                countsWithoutATry(ran);
                Gmp.blocking(() -> {
                    ran.incrementAndGet();
                });
            } catch (InterruptedException e) {
                failure.set(e);
            }
        };
        try (Scheduler s = builder("blocking-forms").procs(1).build()) {
            join(s, s.submit(body));
        }
        body.run(); // outside any goroutine, it just runs the block
        assertEquals(null, failure.get());
        assertEquals(4, ran.get());
    }

    @Test
    void aLambdaWithAValuePicksTheCallableFormAndAVoidOneTheRunnableForm() throws Exception {
        BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1);
        queue.add(42);
        try (Scheduler s = builder("blocking-overloads").procs(1).build()) {
            Task<Integer> t = s.submit(() -> {
                int fromExpression = Gmp.blocking(() -> 6 * 7);       // value-compatible only: Callable
                int fromCall = Gmp.blocking(() -> queue.take());      // both shapes: the Callable form is more specific
                Gmp.blocking(() -> queue.put(fromCall));              // void: the runnable form
                Gmp.blocking(() -> {
                    queue.take();                                     // a block drops the value
                });
                return fromExpression;
            });
            assertEquals(42, join(s, t));
        }
        assertTrue(queue.isEmpty());
    }

    @Test
    void theBlocksExceptionReachesTheCallerUnwrapped() {
        IOException thrown = new IOException("disk on fire");
        try (Scheduler s = builder("blocking-throws").procs(1).build()) {
            Task<Throwable> t = s.submit(() -> {
                try {
                    Gmp.blocking(() -> {
                        throw thrown;
                    });
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertSame(thrown, join(s, t));
        }
        IOException outside = assertThrows(IOException.class, () -> Gmp.blocking(() -> {
            throw thrown;
        }));
        assertSame(thrown, outside);
        assertThrows(NullPointerException.class, () -> Gmp.blocking((Gmp.ThrowingRunnable<RuntimeException>) null));
    }

    /**
     * The no-result form hands the processor off like the {@code Callable} form: on one processor,
     * a goroutine blocked in it does not keep the other goroutine from running (which is the only
     * one that can end the block).
     */
    @Test
    void theNoResultFormHandsTheProcessorOff() {
        try (Scheduler s = builder("blocking-runnable-handoff").procs(1).build()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Task<Void> blocker = s.submit(() -> {
                started.countDown();
                Gmp.blocking(() -> release.await()); // blocks the carrier until the other goroutine runs
                return null;
            });
            awaitCondition(s, "the blocking call to start", () -> started.getCount() == 0);
            Task<Void> releaser = s.submit(() -> {
                release.countDown();
                return null;
            });
            join(s, releaser);
            join(s, blocker);
            assertTrue(s.stats().handoffs() >= 1, describe(s));
        }
    }
}
