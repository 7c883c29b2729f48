package gmpj.stress;

import gmpj.core.Scheduler;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** What the tests that run real goroutines share. */
final class Goroutines {
    /**
     * One small scheduler per test JVM, never closed: a scheduler costs threads and jcstress runs
     * millions of samples. Its carriers are daemon threads, so the JVM still exits. Two
     * processors, so that one carrier may fire a timer while the other commits a park.
     */
    static final Scheduler SCHEDULER = Scheduler.builder().procs(2).name("jcstress").build();

    /** How long an arbiter waits for a goroutine before it calls it late. */
    private static final long LATE_AFTER_MILLIS = 5_000;
    /**
     * How much longer it then waits before it calls the goroutine lost. A goroutine that finishes
     * in this window was not lost (a lost wake-up never ends) but delayed: the test JVM got little
     * CPU, e.g. from a jcstress run sharing a 2-core machine with other work at a lower priority.
     */
    private static final long LOST_AFTER_MILLIS = 60_000;
    /** What {@link #finished} reports. */
    static final int LOST = 0;
    static final int IN_TIME = 1;
    static final int LATE = 2;
    /**
     * Set once a goroutine was lost in this JVM. The test has failed then, and a lost wake-up
     * often wedges the scheduler: later samples only look whether their goroutine is done, rather
     * than wait each, which would make jcstress time out the whole fork without outcome counts.
     */
    private static volatile boolean broken;

    private Goroutines() {}

    /**
     * Waits, bounded, for {@code done}: {@link #IN_TIME} within 5 s, {@link #LATE} within 65 s,
     * else {@link #LOST} (and every later wait in this JVM only looks).
     */
    static int finished(CountDownLatch done) {
        try {
            if (done.await(broken ? 0 : LATE_AFTER_MILLIS, TimeUnit.MILLISECONDS)) {
                return IN_TIME;
            }
            if (!broken && done.await(LOST_AFTER_MILLIS, TimeUnit.MILLISECONDS)) {
                return LATE;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        broken = true;
        return LOST;
    }
}
