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

    /** How long an arbiter waits for a goroutine to finish before it calls it lost. */
    private static final long LOST_AFTER_MILLIS = 5_000;
    /**
     * Set once a goroutine was lost in this JVM. The test has failed then, and a lost wake-up
     * often wedges the scheduler: later samples only look whether their goroutine is done, rather
     * than wait 5 s each, which would make jcstress time out the whole fork without outcome counts.
     */
    private static volatile boolean broken;

    private Goroutines() {}

    /** Waits, bounded, for {@code done}; false if it was not counted down in time (the goroutine is lost). */
    static boolean finished(CountDownLatch done) {
        boolean finished;
        try {
            finished = done.await(broken ? 0 : LOST_AFTER_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (!finished) {
            broken = true;
        }
        return finished;
    }
}
