package gmpj.sync;

import static org.junit.jupiter.api.Assertions.fail;

import gmpj.core.Gmp;
import gmpj.core.Scheduler;
import gmpj.core.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Helpers for the sync tests: bounded waits for conditions (never for times), and a runner that
 * drives the same code from goroutines and plain threads at once.
 *
 * <p>Bounds are liveness bounds, far above what any condition needs on a loaded two-core machine:
 * a test fails on them only when something is really stuck.
 */
final class SyncTestSupport {
    /** How long a test waits for something that should take microseconds to milliseconds. */
    static final Duration LIVENESS = Duration.ofSeconds(30);

    private static final AtomicInteger SEQ = new AtomicInteger();

    private SyncTestSupport() {}

    /** A scheduler named after the test, with {@code procs} processors and a liveness-bounded close. */
    static Scheduler scheduler(String test, int procs) {
        return Scheduler.builder().name("s-" + test + "-" + SEQ.incrementAndGet()).procs(procs).closeTimeout(LIVENESS).build();
    }

    /** Polls {@code condition} about every millisecond from a plain thread; fails after {@link #LIVENESS}. */
    static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIVENESS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("condition not met within " + LIVENESS + ": " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** For goroutine code: yields until {@code condition} holds; throws after {@link #LIVENESS}. */
    static void yieldUntil(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIVENESS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("goroutine " + Gmp.goid() + " gave up after " + LIVENESS + " waiting for " + what);
            }
            Gmp.yield();
        }
    }

    /** Joins {@code task} within {@link #LIVENESS}, rethrowing what it threw. */
    static <T> T join(Scheduler s, Task<T> task) {
        try {
            return task.join(LIVENESS);
        } catch (TimeoutException e) {
            return fail(task + " did not finish within " + LIVENESS + "\n" + s.stats(), e);
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** A plain thread that says when its body has ended (a join that cannot return early). */
    static final class TestThread extends Thread {
        final CountDownLatch finished = new CountDownLatch(1);
        private final Runnable body;

        TestThread(String name, Runnable body, AtomicReference<Throwable> failure) {
            super(name);
            setDaemon(true);
            this.body = () -> {
                try {
                    body.run();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    finished.countDown();
                }
            };
        }

        @Override
        public void run() {
            body.run();
        }
    }

    /** Starts a plain thread running {@code body}; what it throws lands in {@code failure}. */
    static TestThread startThread(String name, Runnable body, AtomicReference<Throwable> failure) {
        TestThread t = new TestThread(name, body, failure);
        t.start();
        return t;
    }

    /** Waits (within {@link #LIVENESS}) until {@code t}'s body has ended. */
    static void joinThread(TestThread t) {
        try {
            if (!t.finished.await(LIVENESS.toNanos(), TimeUnit.NANOSECONDS)) {
                fail("thread " + t.getName() + " did not finish within " + LIVENESS + "; it is at "
                        + List.of(t.getStackTrace()));
            }
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail("interrupted while joining " + t.getName());
        }
    }

    /**
     * Runs {@code body(i)} in {@code goroutines} goroutines of {@code s} (i = 0..goroutines-1) and
     * in {@code threads} plain threads (i = goroutines..goroutines+threads-1), all at once, and
     * waits for every one; rethrows the first failure.
     */
    static void runTogether(Scheduler s, int goroutines, int threads, IntConsumer body) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<TestThread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int index = goroutines + i;
            ts.add(startThread("sync-test-thread-" + i, () -> body.accept(index), failure));
        }
        List<Task<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < goroutines; i++) {
            int index = i;
            tasks.add(s.submit(() -> body.accept(index)));
        }
        for (Task<Void> t : tasks) {
            join(s, t);
        }
        for (TestThread t : ts) {
            joinThread(t);
        }
        if (failure.get() != null) {
            throw new AssertionError("a plain thread failed", failure.get());
        }
    }
}
